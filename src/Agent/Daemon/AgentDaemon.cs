using System.Diagnostics;
using System.Threading.Channels;
using Colabo.Config.Agent.Daemon.Configuration;
using Colabo.Config.Agent.Daemon.Facts;
using Colabo.Config.Agent.Daemon.Identity;
using Colabo.Config.Agent.Daemon.Runs;
using Colabo.Config.Agent.Daemon.Scheduling;
using Colabo.Config.Agent.Daemon.Systemd;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Rpc;

namespace Colabo.Config.Agent.Daemon;

/// <summary>
/// "colabo-agent daemon": enroll on first start, then hold Watch open, run on the schedule and on
/// push, renew the certificate, keep systemd informed (READY, WATCHDOG, STATUS) until stopped or revoked.
/// </summary>
public sealed class AgentDaemon(AgentConfig config, AgentLog log, SystemdNotifier notifier, TimeProvider time)
{
    /// <summary>Exit status when the master revoked this node (the unit's RestartPreventExitStatus).</summary>
    public const int RevokedExitCode = 4;

    private readonly AgentState _state = new(config.StateDir);
    private readonly Channel<DaemonTrigger> _triggers = Channel.CreateUnbounded<DaemonTrigger>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Stopwatch _sinceStart = Stopwatch.StartNew();

    /// <summary>Completes when the Watch stream is first connected (tests and the idle benchmark wait on it).</summary>
    public TaskCompletionSource Connected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DaemonLoop? _loop;

    /// <summary>The schedule in force once the daemon is running (it follows the master's run interval).</summary>
    public RunSchedule? Schedule => _loop?.Schedule;

    /// <summary>Raised after each run (tests observe runs through it).</summary>
    public event Action<RunResult>? RunCompleted;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (File.Exists(_state.RevokedFile))
        {
            var reason = (await File.ReadAllTextAsync(_state.RevokedFile, cancellationToken)).Trim();
            log.Error($"this node's certificate was revoked ({reason}); not starting. Re-enroll with 'colabo-agent enroll' to come back.");
            notifier.Stopping("revoked");
            return RevokedExitCode;
        }

        var root = new TargetRoot(Path.GetFullPath(config.Root));
        var master = config.Master ?? (File.Exists(_state.MasterFile) ? AgentConfigReader.MasterUrl((await File.ReadAllTextAsync(_state.MasterFile, cancellationToken)).Trim()) : null);
        if (master is null)
        {
            log.Error("no master configured: set 'master: https://HOST:PORT' in the agent configuration");
            return Cli.ExitCodes.Unusable;
        }

        using var watchdog = new CancellationTokenSource();
        var watchdogTask = WatchdogAsync(watchdog.Token);
        try
        {
            if (!_state.IsEnrolled && !await EnrollAsync(master, root, cancellationToken))
            {
                return Cli.ExitCodes.Unusable;
            }

            using var connection = new MasterConnection(master, NodeIdentity.Load(_state));
            var node = connection.Identity.NodeName;
            var schedule = RunSchedule.ForNode(node, RunInterval.Effective(config.Interval, RunInterval.Load(_state)));
            var run = new AgentRun(_state, root, time, log) { Parallelism = config.Parallelism };
            log.Info($"node {node}, master {master}, interval {Format(schedule.Interval)}{IntervalSource()} with splay {Format(schedule.Splay)}, next scheduled run at {schedule.NextAfter(time.GetUtcNow()):u}, certificate valid until {connection.Identity.NotAfter:u} (renewal at {connection.Identity.RenewAt:u})");
            notifier.Ready($"node {node}: connecting to {master}");

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var watchTask = WatchAsync(connection, stop.Token);
            var loop = _loop = new DaemonLoop(schedule, time, Random.Shared, config.PushJitter, new DaemonLoop.Actions(
                RunAsync: async (request, ct) =>
                {
                    IdleMemory.Wake();
                    await RunOnceAsync(run, connection, request, ct);
                    FollowMasterInterval(node);
                    TrimMemory();
                },
                RenewAsync: async ct => await RenewAsync(connection, ct),
                ConnectedAsync: async ct =>
                {
                    await ResendAsync(run, connection, ct);
                    TrimMemory();
                },
                RenewAt: () => connection.Identity.RenewAt));
            string? revoked;
            try
            {
                revoked = await loop.RunAsync(_triggers.Reader, config.Noop ? RunMode.Noop : RunMode.Enforce, runAtStart: true, stop.Token);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                revoked = null;
            }

            await stop.CancelAsync();
            await watchTask;
            if (revoked is not null)
            {
                AgentState.WriteAtomically(_state.RevokedFile, revoked + "\n");
                log.Error($"the master revoked this node's certificate ({revoked}); stopping. Re-enroll with 'colabo-agent enroll' to come back.");
                notifier.Stopping($"revoked: {revoked}");
                return RevokedExitCode;
            }

            log.Info("stopping");
            notifier.Stopping("stopping");
            return Cli.ExitCodes.Success;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            notifier.Stopping("stopping");
            return Cli.ExitCodes.Success;
        }
        finally
        {
            await watchdog.CancelAsync();
            await watchdogTask;
        }
    }

    /// <summary>First start: enroll with the token file and the CA fingerprint, retrying while the master is unreachable; then delete the token.</summary>
    private async Task<bool> EnrollAsync(Uri master, TargetRoot root, CancellationToken cancellationToken)
    {
        if (!File.Exists(config.EnrollmentTokenFile))
        {
            log.Error($"this node is not enrolled and there is no enrollment token at {config.EnrollmentTokenFile} (cloud-init writes it; or run 'colabo-agent enroll --master URL --token T --ca-fingerprint F')");
            return false;
        }

        if (config.CaFingerprint is not { Length: > 0 } fingerprint)
        {
            log.Error("this node is not enrolled and 'ca_fingerprint' is not set in the agent configuration: it is needed to trust the master on first contact");
            return false;
        }

        var token = (await File.ReadAllTextAsync(config.EnrollmentTokenFile, cancellationToken)).Trim();
        var delay = TimeSpan.FromSeconds(1);
        while (true)
        {
            notifier.Status($"enrolling at {master}");
            try
            {
                var response = await Enroller.EnrollAsync(_state, master, token, fingerprint, config.NodeName, FactsGatherer.Gather(root), cancellationToken);
                File.Delete(config.EnrollmentTokenFile);
                log.Info($"enrolled as {response.NodeName} at {master} (environment {response.Environment}, roles {string.Join(", ", response.Roles)}); the enrollment token was deleted");
                return true;
            }
            catch (EnrollmentException e) when (e.InnerException is RpcException rpc && AgentRun.IsUnreachable(rpc.StatusCode))
            {
                log.Warning($"{e.Message}; retrying in {Format(delay)}");
            }
            catch (EnrollmentException e)
            {
                log.Error(e.Message);
                return false;
            }

            await Task.Delay(delay, time, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMinutes(1).Ticks));
        }
    }

    private async Task RunOnceAsync(AgentRun run, MasterConnection connection, RunRequest request, CancellationToken cancellationToken)
    {
        notifier.Status($"running ({request.Reason})");
        try
        {
            var result = await run.ExecuteAsync(connection, connection.Identity.Ca, connection.Identity.NodeName, request, cancellationToken);
            var s = result.Summary;
            notifier.Status(s.Error.Length > 0
                ? $"last run failed to start: {s.Error}"
                : $"last run {time.GetUtcNow():u}: {s.Changed} changed, {s.Failed} failed, {s.InSync} in sync{(result.Reported ? string.Empty : " (report spooled)")}");
            RunCompleted?.Invoke(result);
        }
        catch (RunLockedException e)
        {
            log.Warning(e.Message);
        }
        catch (RpcException e) when (Revocation.IsSignalledBy(e))
        {
            _triggers.Writer.TryWrite(DaemonTrigger.Revoked(e.Status.Detail));
        }
        catch (RpcException e)
        {
            log.Error($"the run failed: the master answered {e.StatusCode}: {e.Status.Detail}");
            notifier.Status($"last run failed: {e.StatusCode}");
        }
    }

    /// <summary>After a run: when agent.yaml does not set the interval, take the one the master just sent.</summary>
    private void FollowMasterInterval(string node)
    {
        if (_loop is not { } loop || config.Interval is not null)
        {
            return;
        }

        var interval = RunInterval.Effective(null, RunInterval.Load(_state));
        if (interval != loop.Schedule.Interval)
        {
            var schedule = RunSchedule.ForNode(node, interval);
            loop.Reschedule(schedule);
            log.Info($"run interval is now {Format(interval)} (from the master) with splay {Format(schedule.Splay)}; next scheduled run at {schedule.NextAfter(time.GetUtcNow()):u}");
        }
    }

    /// <summary>The daemon now waits (for minutes, usually): give back what waiting does not need.</summary>
    private void TrimMemory()
    {
        if (config.IdleTrim)
        {
            IdleMemory.Trim();
        }
    }

    private string IntervalSource() =>
        config.Interval is not null ? " (agent.yaml)" : RunInterval.Load(_state) is not null ? " (from the master)" : " (default)";

    private async Task<DateTimeOffset> RenewAsync(MasterConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            var renewed = await CertificateRenewer.RenewAsync(_state, connection, cancellationToken);
            log.Info($"certificate renewed: valid until {renewed.NotAfter:u}, next renewal at {renewed.RenewAt:u}");
            return renewed.RenewAt;
        }
        catch (RpcException e)
        {
            log.Warning($"certificate renewal failed ({e.StatusCode}: {e.Status.Detail}); retrying in {Format(DaemonLoop.RenewRetry)}");
            throw;
        }
    }

    private async Task ResendAsync(AgentRun run, MasterConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await run.ResendSpoolAsync(connection, cancellationToken);
        }
        catch (RpcException e)
        {
            log.Warning($"could not resend spooled reports ({e.StatusCode}: {e.Status.Detail}); they stay spooled");
        }
    }

    /// <summary>Holds Watch open, reconnecting with backoff; turns its events into triggers.</summary>
    private async Task WatchAsync(MasterConnection connection, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var call = connection.Client.Watch(new WatchRequest { CurrentHash = new Catalogs.CatalogCache(_state).CachedHash() }, new CallOptions(CancellationToken: cancellationToken));
                await call.ResponseHeadersAsync;
                delay = TimeSpan.FromSeconds(1);
                if (Connected.TrySetResult())
                {
                    log.Info($"connected to {connection.Master} ({_sinceStart.ElapsedMilliseconds} ms after start); watching for pushes");
                }
                else
                {
                    log.Info($"reconnected to {connection.Master}");
                }

                notifier.Status($"connected to {connection.Master}");
                _triggers.Writer.TryWrite(DaemonTrigger.Connected);
                await foreach (var e in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    if (Translate(e) is { } trigger)
                    {
                        log.Info($"master pushed: {trigger.Reason}");
                        _triggers.Writer.TryWrite(trigger);
                        if (trigger.Kind == DaemonTriggerKind.Revoked)
                        {
                            return;
                        }
                    }
                }

                log.Warning($"the master closed the Watch stream; reconnecting in {Format(delay)}");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException e) when (Revocation.IsSignalledBy(e))
            {
                _triggers.Writer.TryWrite(DaemonTrigger.Revoked(e.Status.Detail));
                return;
            }
            catch (RpcException e)
            {
                log.Warning($"Watch failed ({e.StatusCode}: {e.Status.Detail}); reconnecting in {Format(delay)}");
            }

            try
            {
                await Task.Delay(delay, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMinutes(1).Ticks));
        }
    }

    private static DaemonTrigger? Translate(WatchEvent e) => e.EventCase switch
    {
        WatchEvent.EventOneofCase.CatalogChanged => DaemonTrigger.CatalogChanged(e.CatalogChanged.CatalogHash),
        WatchEvent.EventOneofCase.RunNow => DaemonTrigger.RunNow(e.RunNow.Mode, e.RunNow.Reason),
        WatchEvent.EventOneofCase.RenewCertificate => DaemonTrigger.Renew($"renew certificate: {e.RenewCertificate.Reason}"),
        WatchEvent.EventOneofCase.Revoked => DaemonTrigger.Revoked($"certificate {e.Revoked.Serial} revoked: {e.Revoked.Reason}"),
        _ => null,
    };

    /// <summary>WATCHDOG=1 at half of WatchdogSec, independent of runs (a run may take minutes).</summary>
    private async Task WatchdogAsync(CancellationToken cancellationToken)
    {
        if (SystemdNotifier.WatchdogInterval() is not { } interval)
        {
            return;
        }

        try
        {
            while (true)
            {
                notifier.Watchdog();
                await Task.Delay(interval / 2, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    internal static string Format(TimeSpan span) =>
        span.TotalHours >= 1 && span.Minutes == 0 && span.Seconds == 0 ? $"{(int)span.TotalHours}h"
        : span.TotalMinutes >= 1 && span.Seconds == 0 ? $"{(int)span.TotalMinutes}m"
        : span.TotalSeconds >= 1 ? $"{(int)span.TotalSeconds}s"
        : $"{(int)span.TotalMilliseconds}ms";
}
