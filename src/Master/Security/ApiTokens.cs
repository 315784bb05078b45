using System.Security.Cryptography;
using System.Text.Json;
using Colabo.Config.Store;

namespace Colabo.Config.Master.Security;

/// <summary>Bearer tokens for the JSON API, stored hashed (as settings) with the role they grant.</summary>
public sealed class ApiTokens(IConfigStore store)
{
    private const string Prefix = "apitoken.";

    public async Task<string> CreateAsync(string name, string role, CancellationToken cancellationToken)
    {
        if (role is not ("admin" or "viewer"))
        {
            throw new MasterException(MasterErrorKind.InvalidArgument, $"Role must be 'admin' or 'viewer', not '{role}'.");
        }
        var token = "cba_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        await store.SetSettingAsync(Prefix + Enrollment.Hash(token), JsonSerializer.Serialize(new ApiTokenGrant(name, role), MasterJson.Default.ApiTokenGrant), cancellationToken);
        return token;
    }

    /// <summary>The identity a bearer token stands for, or null when it is not known.</summary>
    public async Task<CallerIdentity?> AuthenticateAsync(string token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        var stored = await store.GetSettingAsync(Prefix + Enrollment.Hash(token), cancellationToken);
        if (stored is null)
        {
            return null;
        }
        var grant = JsonSerializer.Deserialize(stored, MasterJson.Default.ApiTokenGrant);
        return grant is null ? null : new CallerIdentity(grant.Name, grant.Role == "admin" ? CertificateKind.Admin : CertificateKind.Viewer, "");
    }
}
