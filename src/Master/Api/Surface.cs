using Colabo.Config.Master.Security;
using Colabo.Config.Rpc;

namespace Colabo.Config.Master.Api;

/// <summary>Maps domain refusals to gRPC statuses and HTTP codes, and reads the caller from a call.</summary>
internal static class Surface
{
    public static StatusCode ToStatusCode(MasterErrorKind kind) => kind switch
    {
        MasterErrorKind.InvalidArgument => StatusCode.InvalidArgument,
        MasterErrorKind.NotFound => StatusCode.NotFound,
        MasterErrorKind.AlreadyExists => StatusCode.AlreadyExists,
        MasterErrorKind.Unauthenticated => StatusCode.Unauthenticated,
        MasterErrorKind.PermissionDenied => StatusCode.PermissionDenied,
        MasterErrorKind.Unavailable => StatusCode.Unavailable,
        _ => StatusCode.FailedPrecondition,
    };

    public static int ToHttpStatus(MasterErrorKind kind) => kind switch
    {
        MasterErrorKind.InvalidArgument => 400,
        MasterErrorKind.NotFound => 404,
        MasterErrorKind.AlreadyExists => 409,
        MasterErrorKind.Unauthenticated => 401,
        MasterErrorKind.PermissionDenied => 403,
        MasterErrorKind.Unavailable => 503,
        _ => 409,
    };

    public static async Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (MasterException e)
        {
            throw new RpcException(ToStatusCode(e.Kind), e.Message);
        }
    }

    /// <summary>The caller as its certificate says; refuses calls without one this CA issued.</summary>
    public static CallerIdentity Caller(ServerCallContext context, RevocationList revocations)
    {
        var certificate = context.PeerIdentity?.Certificate
            ?? throw new RpcException(StatusCode.Unauthenticated, "This method needs a client certificate issued by this master.");
        if (revocations.IsRevoked(certificate.SerialNumber))
        {
            throw new RpcException(StatusCode.Unauthenticated, $"Certificate {certificate.SerialNumber} has been revoked.");
        }
        return CallerIdentity.FromCertificate(certificate)
            ?? throw new RpcException(StatusCode.PermissionDenied, "The client certificate does not name a node, an admin or a viewer.");
    }

    public static CallerIdentity Node(ServerCallContext context, RevocationList revocations)
    {
        var caller = Caller(context, revocations);
        return caller.IsNode ? caller : throw new RpcException(StatusCode.PermissionDenied, $"AgentService is for nodes; '{caller.Name}' holds a {caller.Kind.ToOu()} certificate.");
    }
}
