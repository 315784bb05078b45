using Microsoft.AspNetCore.Http;

namespace Colabo.Config.Master.Api;

/// <summary>
/// Refuses state-changing requests that a browser sends on behalf of another site. Bearer tokens are
/// never sent by a browser on its own, but a client certificate installed in a browser is: without
/// this, a page on another site could post a form to <c>/api/v1/RunNow</c> with the admin's
/// certificate. Browsers mark such requests (<c>Sec-Fetch-Site</c>, <c>Origin</c>); curl, scripts and
/// webhooks send neither and pass.
/// </summary>
public static class CrossSiteGuard
{
    public static bool IsCrossSite(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site is "cross-site" or "same-site")
        {
            return true;
        }
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return false;
        }
        return !Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            || !string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}
