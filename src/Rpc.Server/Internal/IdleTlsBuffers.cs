using System.Net.Security;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Colabo.Config.Rpc.Server.Internal;

/// <summary>
/// Lets OpenSSL free a TLS connection's read and write buffers (about 17 KB each) whenever they are empty
/// (<c>SSL_MODE_RELEASE_BUFFERS</c>). A server holding thousands of mostly idle connections (agents
/// waiting on Watch) otherwise keeps ~34 KB per connection of native memory it uses only while a record
/// is in flight. .NET does not expose the mode, so this reaches the connection's <c>SSL*</c> through
/// <see cref="SslStream"/>'s private security context: only on Linux and .NET 10, whose Unix
/// <c>SafeDeleteSslContext</c> is the <c>SSL*</c> itself (checked by type name). On any other runtime,
/// platform or shape it does nothing, and the connection keeps OpenSSL's default behaviour.
/// </summary>
internal static partial class IdleTlsBuffers
{
    private const int SslCtrlMode = 33;
    private const long SslModeReleaseBuffers = 0x10;

    private static readonly FieldInfo? s_securityContext = Find();
    private static volatile bool s_unavailable = s_securityContext is null;

    /// <summary>True when this runtime's shape is the known one and the mode can be set.</summary>
    public static bool Supported => !s_unavailable;

    /// <summary>Connection middleware for after <c>UseHttps</c>: the handshake is done, nothing else uses the stream yet.</summary>
    public static ConnectionDelegate Middleware(ConnectionDelegate next) => connection =>
    {
        if (!s_unavailable && connection.Features.Get<ISslStreamFeature>()?.SslStream is { } ssl)
        {
            Release(ssl);
        }
        return next(connection);
    };

    /// <summary>Sets the mode on one established connection; returns whether it was set.</summary>
    public static bool Release(SslStream stream)
    {
        if (s_unavailable || s_securityContext?.GetValue(stream) is not SafeHandle context || context.IsInvalid || context.IsClosed)
        {
            return false;
        }
        var added = false;
        try
        {
            context.DangerousAddRef(ref added);
            var mode = SslCtrl(context.DangerousGetHandle(), SslCtrlMode, SslModeReleaseBuffers, 0);
            return (mode & SslModeReleaseBuffers) != 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No libssl.so.3 here: OpenSSL keeps its default behaviour, and nothing is tried again.
            s_unavailable = true;
            return false;
        }
        catch (ObjectDisposedException)
        {
            // The connection closed during its handshake's last moments: nothing to release.
            return false;
        }
        finally
        {
            if (added)
            {
                context.DangerousRelease();
            }
        }
    }

    private static FieldInfo? Find()
    {
        if (!OperatingSystem.IsLinux() || Environment.Version.Major != 10)
        {
            return null;
        }
        var field = typeof(SslStream).GetField("_securityContext", BindingFlags.NonPublic | BindingFlags.Instance);
        return field?.FieldType.FullName == "System.Net.Security.SafeDeleteSslContext"
            && typeof(SafeHandle).IsAssignableFrom(field.FieldType)
            && field.FieldType.GetField("_sslContext", BindingFlags.NonPublic | BindingFlags.Instance) is null
                ? field
                : null;
    }

    // The same libssl the runtime's crypto shim loaded (Debian 12: OpenSSL 3.0). SSL_set_mode is the macro
    // SSL_ctrl(ssl, SSL_CTRL_MODE, mode, NULL): it ORs the mode in and returns the new mode.
    [LibraryImport("libssl.so.3", EntryPoint = "SSL_ctrl")]
    private static partial long SslCtrl(nint ssl, int command, long argument, nint pointer);
}
