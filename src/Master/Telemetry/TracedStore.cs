using System.Diagnostics;
using System.Reflection;
using Colabo.Config.Store;

namespace Colabo.Config.Master.Telemetry;

/// <summary>
/// Wraps the store so every write (any method not named Get/List/Find/Query...) gets a client span
/// <c>store.MethodName</c> with <c>db.system</c>. A <see cref="DispatchProxy"/> rather than a hand-written
/// decorator: the store interface keeps growing, and a decorator would have to follow every new method.
/// Only installed when traces are exported.
/// </summary>
public class TracedStore : DispatchProxy
{
    private static readonly string[] s_reads = ["Get", "List", "Find", "Query", "get_", "Dispose"];

    private IConfigStore _inner = null!;
    private string _system = "";

    public static IConfigStore Wrap(IConfigStore inner, string system)
    {
        var proxy = Create<IConfigStore, TracedStore>();
        var traced = (TracedStore)(object)proxy;
        traced._inner = inner;
        traced._system = system;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var name = targetMethod.Name;
        if (s_reads.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)) || !MasterTracing.Source.HasListeners())
        {
            return Call(targetMethod, args);
        }
        var parent = Activity.Current;
        var activity = MasterTracing.Source.StartActivity("store." + (name.EndsWith("Async", StringComparison.Ordinal) ? name[..^5] : name), ActivityKind.Client);
        if (activity is null)
        {
            return Call(targetMethod, args);
        }
        activity.SetTag("db.system", _system);
        activity.SetTag("db.operation.name", name);
        object? result;
        try
        {
            result = Call(targetMethod, args);
        }
        catch (Exception e)
        {
            activity.SetStatus(ActivityStatusCode.Error, e.Message);
            activity.Dispose();
            throw;
        }
        finally
        {
            // The write goes on asynchronously; the caller's own span is current again from here.
            Activity.Current = parent;
        }
        if (result is Task task)
        {
            task.ContinueWith(static (t, state) =>
            {
                var span = (Activity)state!;
                if (t.Exception is { } failure)
                {
                    span.SetStatus(ActivityStatusCode.Error, failure.InnerException?.Message ?? failure.Message);
                }
                span.Dispose();
            }, activity, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        else
        {
            activity.Dispose();
        }
        return result;
    }

    private object? Call(MethodInfo method, object?[]? args)
    {
        try
        {
            return method.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}
