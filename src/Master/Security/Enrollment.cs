using System.Security.Cryptography;
using System.Text;
using Colabo.Config.Store;

namespace Colabo.Config.Master.Security;

/// <summary>
/// Enrollment tokens and certificate issuance: one-time (or N-use), expiring tokens stored hashed;
/// node certificates whose subject is the approved node name, never the CSR's; renewal; admin and
/// viewer certificates; revocation pushed to every replica.
/// </summary>
public sealed class Enrollment(IConfigStore store, CertificateAuthority ca, RevocationList revocations, TimeProvider time, EnrollmentOptions options)
{
    private const string TokenPrefix = "cbt_";

    public async Task<CreatedToken> CreateTokenAsync(TokenRequest request, string createdBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var lifetime = request.ExpiresIn ?? options.DefaultTokenLifetime;
        if (lifetime <= TimeSpan.Zero || lifetime > options.MaxTokenLifetime)
        {
            throw new MasterException(MasterErrorKind.InvalidArgument, $"Token lifetime must be between 1 second and {options.MaxTokenLifetime.TotalDays:0} days.");
        }
        if (request.MaxUses is < 1 or > 100_000)
        {
            throw new MasterException(MasterErrorKind.InvalidArgument, "Token uses must be between 1 and 100000.");
        }
        var pattern = string.IsNullOrWhiteSpace(request.NamePattern) ? "*" : request.NamePattern.Trim();
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = $"{TokenPrefix}{id}_{Base64Url(RandomNumberGenerator.GetBytes(32))}";
        var now = time.GetUtcNow();
        var record = new EnrollmentTokenRecord
        {
            Id = id,
            Hash = Hash(secret),
            NamePattern = pattern,
            Roles = [.. request.Roles],
            Environment = string.IsNullOrEmpty(request.Environment) ? "main" : request.Environment,
            CreatedAt = now,
            ExpiresAt = now + lifetime,
            MaxUses = request.MaxUses,
            Description = request.Description,
            CreatedBy = createdBy,
        };
        await store.AddTokenAsync(record, cancellationToken);
        return new CreatedToken(secret, record);
    }

    public async Task<EnrollmentResult> EnrollAsync(string token, string csrPem, string requestedName, string factsJson, CancellationToken cancellationToken)
    {
        var name = requestedName?.Trim().ToLowerInvariant() ?? "";
        if (!NodeNames.IsValid(name))
        {
            throw new MasterException(MasterErrorKind.InvalidArgument,
                $"Node name '{requestedName}' is not valid: use lower-case letters, digits, '-', '.' and '_' (at most 253 characters), starting with a letter or digit.");
        }
        if (string.IsNullOrEmpty(token))
        {
            throw new MasterException(MasterErrorKind.Unauthenticated, "Enrollment needs a token: create one with `colabo token create`.");
        }
        var hash = Hash(token);
        var known = await store.FindTokenByHashAsync(hash, cancellationToken)
            ?? throw new MasterException(MasterErrorKind.Unauthenticated, "The enrollment token is not known to this master.");
        if (!Glob.IsMatch(known.NamePattern, name))
        {
            throw new MasterException(MasterErrorKind.PermissionDenied, $"Enrollment token {known.Id} allows node names matching '{known.NamePattern}', not '{name}'.");
        }
        // Check the CSR before spending a use of the token.
        _ = ParseCsrOrThrow(csrPem, name);
        var use = await store.UseTokenAsync(hash, time.GetUtcNow(), cancellationToken);
        switch (use.Outcome)
        {
            case TokenUseOutcome.Accepted:
                break;
            case TokenUseOutcome.Expired:
                throw new MasterException(MasterErrorKind.Unauthenticated, $"Enrollment token {known.Id} expired at {known.ExpiresAt:u}.");
            case TokenUseOutcome.UsedUp:
                throw new MasterException(MasterErrorKind.Unauthenticated, $"Enrollment token {known.Id} has already been used ({known.MaxUses} of {known.MaxUses} uses).");
            case TokenUseOutcome.Revoked:
                throw new MasterException(MasterErrorKind.Unauthenticated, $"Enrollment token {known.Id} was revoked.");
            default:
                throw new MasterException(MasterErrorKind.Unauthenticated, "The enrollment token is not known to this master.");
        }
        var tokenRecord = use.Token ?? known;
        var issued = ca.SignRequest(csrPem, name, CertificateKind.Node, options.NodeCertificateLifetime);
        await store.AddCertificateAsync(issued.ToRecord(), cancellationToken);

        // Re-enrolling a name (a rebuilt VM) supersedes the certificates the old host held.
        var existing = await store.GetNodeAsync(name, cancellationToken);
        if (existing is not null)
        {
            foreach (var old in await store.ListCertificatesAsync(name, cancellationToken))
            {
                if (old.Serial != issued.Serial && old.RevokedAt is null && old.Kind == "node")
                {
                    await RevokeSerialAsync(old.Serial, name, "superseded by a new enrollment", cancellationToken);
                }
            }
        }
        await store.UpsertNodeAsync((existing ?? new NodeRecord { Name = name }) with
        {
            Environment = tokenRecord.Environment,
            Roles = tokenRecord.Roles,
            FactsJson = string.IsNullOrEmpty(factsJson) ? "{}" : factsJson,
            EnrolledAt = time.GetUtcNow(),
            CertificateSerial = issued.Serial,
        }, cancellationToken);
        return new EnrollmentResult(name, issued, tokenRecord.Environment, tokenRecord.Roles);
    }

    /// <summary>Renews the certificate of an enrolled node; the name comes from the caller's certificate.</summary>
    public async Task<IssuedCertificate> RenewAsync(CallerIdentity caller, string csrPem, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!caller.IsNode)
        {
            throw new MasterException(MasterErrorKind.PermissionDenied, "Only node certificates are renewed this way; admins use `colabo admin cert`.");
        }
        var node = await store.GetNodeAsync(caller.Name, cancellationToken)
            ?? throw new MasterException(MasterErrorKind.NotFound, $"Node {caller.Name} is not enrolled.");
        _ = ParseCsrOrThrow(csrPem, caller.Name);
        var issued = ca.SignRequest(csrPem, caller.Name, CertificateKind.Node, options.NodeCertificateLifetime);
        await store.AddCertificateAsync(issued.ToRecord(), cancellationToken);
        await store.UpsertNodeAsync(node with { CertificateSerial = issued.Serial }, cancellationToken);
        return issued;
    }

    public async Task<IssuedCertificate> IssueAdminCertificateAsync(string name, string role, string csrPem, TimeSpan? validFor, CancellationToken cancellationToken)
    {
        var kind = role switch
        {
            "admin" => CertificateKind.Admin,
            "viewer" => CertificateKind.Viewer,
            _ => throw new MasterException(MasterErrorKind.InvalidArgument, $"Role must be 'admin' or 'viewer', not '{role}'."),
        };
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new MasterException(MasterErrorKind.InvalidArgument, "An admin certificate needs a name.");
        }
        _ = ParseCsrOrThrow(csrPem, name);
        var issued = ca.SignRequest(csrPem, name.Trim(), kind, validFor ?? options.AdminCertificateLifetime);
        await store.AddCertificateAsync(issued.ToRecord(), cancellationToken);
        return issued;
    }

    /// <summary>Revokes one certificate by serial, or every unexpired certificate of a node.</summary>
    public async Task<IReadOnlyList<string>> RevokeAsync(string? serial, string? node, string reason, CancellationToken cancellationToken)
    {
        var revoked = new List<string>();
        if (!string.IsNullOrEmpty(serial))
        {
            var record = await store.GetCertificateAsync(serial, cancellationToken)
                ?? throw new MasterException(MasterErrorKind.NotFound, $"No certificate with serial {serial}.");
            if (await RevokeSerialAsync(record.Serial, record.Subject, reason, cancellationToken))
            {
                revoked.Add(record.Serial);
            }
        }
        else if (!string.IsNullOrEmpty(node))
        {
            var certificates = await store.ListCertificatesAsync(node, cancellationToken);
            if (certificates.Count == 0)
            {
                throw new MasterException(MasterErrorKind.NotFound, $"No certificates were issued to {node}.");
            }
            foreach (var record in certificates.Where(c => c.RevokedAt is null))
            {
                if (await RevokeSerialAsync(record.Serial, record.Subject, reason, cancellationToken))
                {
                    revoked.Add(record.Serial);
                }
            }
        }
        else
        {
            throw new MasterException(MasterErrorKind.InvalidArgument, "Name a certificate serial or a node to revoke.");
        }
        return revoked;
    }

    private async Task<bool> RevokeSerialAsync(string serial, string subject, string reason, CancellationToken cancellationToken)
    {
        if (!await store.RevokeCertificateAsync(serial, time.GetUtcNow(), string.IsNullOrEmpty(reason) ? "revoked" : reason, cancellationToken))
        {
            return false;
        }
        revocations.Add(serial);
        await store.Events.PublishAsync(new ClusterEvent(ClusterEvent.Revoked, subject, serial), cancellationToken);
        return true;
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static System.Security.Cryptography.X509Certificates.CertificateRequest ParseCsrOrThrow(string csrPem, string name)
    {
        try
        {
            return System.Security.Cryptography.X509Certificates.CertificateRequest.LoadSigningRequestPem(
                csrPem ?? "", HashAlgorithmName.SHA256, System.Security.Cryptography.X509Certificates.CertificateRequestLoadOptions.Default);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new MasterException(MasterErrorKind.InvalidArgument, $"The certificate signing request for {name} is not a valid PEM PKCS#10 request.");
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
