using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Modules;
using Google.Protobuf.WellKnownTypes;

namespace Colabo.Config.Engine.Running.Internal;

/// <summary>Converges one resource and produces its outcome; never throws for a resource's own failure.</summary>
internal sealed class ResourceConverger(ModuleRegistry modules, ModuleContext context, RunOptions options)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public const string Redacted = "<redacted>";

    /// <summary>What the scheduler knows about a resource when it becomes ready.</summary>
    /// <param name="Problem">A reason to fail without asking the module.</param>
    /// <param name="Blocker">The failed or skipped dependency, if any.</param>
    /// <param name="ChangedNotifiers">Ids of notifiers that changed (refresh now), or null.</param>
    /// <param name="PendingNotifiers">Ids of notifiers that would change (refresh would run), or null.</param>
    public sealed record Input(Resource Resource, string? Problem, ResourceOutcome? Blocker, string? ChangedNotifiers, string? PendingNotifiers);

    public ResourceOutcome Settled(Resource resource, OutcomeStatus status, string message)
    {
        var outcome = NewOutcome(resource);
        outcome.Status = status;
        outcome.Message = message;
        outcome.Duration = new Duration();
        outcome.FinishedAt = Timestamp.FromDateTimeOffset(context.Time.GetUtcNow());
        return outcome;
    }

    public async Task<ResourceOutcome> ConvergeAsync(Input input, CancellationToken cancellationToken)
    {
        var resource = input.Resource;
        if (input.Blocker is { } blocker)
        {
            var why = blocker.Status == OutcomeStatus.Failed ? "failed" : "was skipped";
            return Settled(resource, OutcomeStatus.Skipped, $"skipped because '{blocker.ResourceId}' {why}");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Settled(resource, OutcomeStatus.Skipped, "skipped: the run was cancelled before this resource started");
        }

        if (input.Problem is { } problem)
        {
            return Settled(resource, OutcomeStatus.Failed, problem);
        }

        if (!modules.TryGet(resource.Kind, out var module))
        {
            return Settled(resource, OutcomeStatus.Failed, $"this agent has no module for kind '{resource.Kind}'");
        }

        var errors = module.Validate(resource);
        if (errors.Count > 0)
        {
            return Settled(resource, OutcomeStatus.Failed, "invalid: " + string.Join("; ", errors));
        }

        var started = context.Time.GetTimestamp();
        var outcome = NewOutcome(resource);
        var timeout = resource.TimeoutSeconds > 0 ? TimeSpan.FromSeconds(resource.TimeoutSeconds) : options.DefaultTimeout;
        using var deadline = new CancellationTokenSource(timeout, context.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var token = linked.Token;
        var noop = options.IsNoop || resource.Audit;
        var phase = "waiting for another resource on the same object";
        var held = module is IResourceLocking locking && locking.LockKeyOf(resource) is { } key ? _locks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1)) : null;
        var acquired = false;
        try
        {
            if (held is not null)
            {
                await held.WaitAsync(token);
                acquired = true;
            }

            phase = "reading the current state";
            var current = await module.ReadStateAsync(resource, context, token);
            var diff = module.DiffState(resource, current);
            if (diff.Count == 0)
            {
                outcome.Status = OutcomeStatus.InSync;
            }
            else if (noop)
            {
                outcome.Status = OutcomeStatus.WouldChange;
                outcome.Message = resource.Audit && !options.IsNoop ? "would change (audit: not applied)" : "would change (noop: not applied)";
                AddChanges(outcome, resource, diff);
            }
            else
            {
                phase = "applying";
                await module.ApplyStateAsync(resource, current, diff, context, token);
                if (module is not IActionModule)
                {
                    phase = "verifying";
                    var after = await module.ReadStateAsync(resource, context, token);
                    var leftover = module.DiffState(resource, after);
                    AddChanges(outcome, resource, module is IResolvesChanges resolving && leftover.Count == 0 ? resolving.Resolve(diff, after) : diff);
                    if (leftover.Count > 0)
                    {
                        outcome.Status = OutcomeStatus.Failed;
                        outcome.Message = "did not converge: " + string.Join(", ", leftover.Select(d => Describe(resource, d)));
                        return Finish(outcome, started);
                    }
                }
                else
                {
                    AddChanges(outcome, resource, diff);
                }

                outcome.Status = OutcomeStatus.Changed;
            }

            phase = "refreshing";
            await RefreshAsync(module, input, outcome, noop, token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Fail(outcome, $"timed out after {timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s while {phase}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Fail(outcome, $"cancelled while {phase}");
        }
        catch (Exception e)
        {
            Fail(outcome, $"{phase} failed: {e.Message}");
        }
        finally
        {
            if (acquired)
            {
                held!.Release();
            }
        }

        return Finish(outcome, started);
    }

    private async Task RefreshAsync(IResourceModule module, Input input, ResourceOutcome outcome, bool noop, CancellationToken token)
    {
        if (module is not IRefreshable refreshable)
        {
            return;
        }

        if (input.ChangedNotifiers is { Length: > 0 } changed && !noop)
        {
            var what = await refreshable.RefreshAsync(input.Resource, context, token);
            outcome.Refreshed = true;
            outcome.Message = Join(outcome.Message, $"{what} (notified by {changed})");
            if (outcome.Status == OutcomeStatus.InSync)
            {
                outcome.Status = OutcomeStatus.Changed;
            }
        }
        else if ((input.ChangedNotifiers ?? input.PendingNotifiers) is { Length: > 0 } pending)
        {
            outcome.Refreshed = true;
            outcome.Message = Join(outcome.Message, $"would refresh (notified by {pending})");
            if (outcome.Status == OutcomeStatus.InSync)
            {
                outcome.Status = OutcomeStatus.WouldChange;
            }
        }
    }

    private static string Join(string existing, string addition) => existing.Length == 0 ? addition : existing + "; " + addition;

    private static string Describe(Resource resource, PropertyDiff diff) =>
        resource.SecretProperties.Contains(diff.Property)
            ? $"{diff.Property} still differs"
            : $"{diff.Property} is {diff.Before ?? "absent"}, wanted {diff.After ?? "absent"}";

    private static void AddChanges(ResourceOutcome outcome, Resource resource, IReadOnlyList<PropertyDiff> diff)
    {
        foreach (var d in diff)
        {
            var secret = resource.SecretProperties.Contains(d.Property);
            var change = new PropertyChange { Property = d.Property, Secret = secret };
            if (d.Before is not null)
            {
                change.Before = secret ? Redacted : d.Before;
            }

            if (d.After is not null)
            {
                change.After = secret ? Redacted : d.After;
            }

            outcome.Changes.Add(change);
        }
    }

    private static void Fail(ResourceOutcome outcome, string message)
    {
        outcome.Status = OutcomeStatus.Failed;
        outcome.Message = Join(outcome.Message, message);
    }

    private static ResourceOutcome NewOutcome(Resource resource) => new()
    {
        ResourceId = resource.Id,
        Kind = resource.Kind,
        Role = resource.Role,
        Audit = resource.Audit,
    };

    private ResourceOutcome Finish(ResourceOutcome outcome, long started)
    {
        outcome.Duration = Duration.FromTimeSpan(context.Time.GetElapsedTime(started));
        outcome.FinishedAt = Timestamp.FromDateTimeOffset(context.Time.GetUtcNow());
        Debug.Assert(outcome.Status != OutcomeStatus.Unspecified, "every path sets a status");
        return outcome;
    }
}
