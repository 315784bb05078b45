namespace Colabo.Config.Rpc;

/// <summary>
/// A machine-readable reason a server puts in the trailers of a failed call, next to the status, so a
/// client can act on it without reading the human message (gRPC's ErrorInfo idea, as one plain trailer).
/// </summary>
public static class ErrorReason
{
    /// <summary>The trailer key.</summary>
    public const string Key = "colabo-error-reason";

    /// <summary>The client certificate was revoked (with UNAUTHENTICATED): enrolling again is the only way back.</summary>
    public const string CertificateRevoked = "certificate-revoked";

    /// <summary>The reason the trailers of <paramref name="error"/> carry, or null.</summary>
    public static string? Of(RpcException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Trailers.GetValue(Key);
    }

    public static Metadata Trailers(string reason) => new Metadata().Add(Key, reason);
}
