using Colabo.Config.Rpc.Server.Internal;
using Microsoft.AspNetCore.Http;

namespace Colabo.Config.Rpc.Server;

public static class ServerCallContextExtensions
{
    /// <summary>The ASP.NET Core request behind a call served by Kestrel (connection info, features, services).</summary>
    public static HttpContext GetHttpContext(this ServerCallContext context) =>
        (context as HttpServerCallContext)?.HttpContext
        ?? throw new InvalidOperationException("This call is not served by Colabo.Config.Rpc.Server on Kestrel.");
}
