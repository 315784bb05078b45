using System.Globalization;
using System.Text.Json;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Security;
using Colabo.Config.Store;
using Google.Protobuf;

namespace Colabo.Config.Dashboard.Tests.Support;

/// <summary>
/// Writes a deterministic fleet into a master's store, the way ingestion leaves it: nodes with facts,
/// signed catalogs (sealed like the master seals them), runs, change-log entries and last-known states.
/// Node i has role web, db or app (i % 3), environment staging when i % 10 == 0, release 11 when
/// i % 4 == 0, region eu-west for odd i; its status follows i % 20 (see <see cref="StatusOf"/>). Over the
/// last days, file:/etc/motd drifts back on some nodes and package:curl changes by a new catalog.
/// <see cref="Expected"/> is what every page must show.
/// </summary>
public static class FleetSeeder
{
    public const string SecretValue = "$6$rounds=5000$seeded-secret-hash";

    public static readonly TimeSpan RunInterval = TimeSpan.FromMinutes(30);

    public static string NameOf(int i) => $"{RoleOf(i)}-{i:D5}";

    public static string RoleOf(int i) => (i % 3) switch { 0 => "web", 1 => "db", _ => "app" };

    public static string EnvironmentOf(int i) => i % 10 == 0 ? "staging" : "main";

    public static string ReleaseOf(int i) => i % 4 == 0 ? "11" : "12";

    public static string RegionOf(int i) => i % 2 == 1 ? "eu-west" : "us-east";

    public static string StatusOf(int i) => (i % 20) switch
    {
        13 or 14 => "drifted",
        15 => "failing",
        16 => "pending",
        17 => "unresponsive",
        18 => "new",
        _ => "converged",
    };

    /// <summary>Whether node i's history has a corrective motd change d days ago (d = 1..days-1).</summary>
    public static bool DriftedDaysAgo(int i, int d) => (i + d) % 10 == 0;

    /// <summary>Whether node i's history has an intentional curl change d days ago.</summary>
    public static bool ChangedDaysAgo(int i, int d) => (i + d) % 15 == 0;

    public static async Task<Expected> SeedAsync(IConfigStore store, CatalogSigner signer, SecretCipher cipher, int count, DateTimeOffset now, int historyDays = 6, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var catalogs = new Dictionary<string, Catalog>(StringComparer.Ordinal);
        foreach (var role in new[] { "web", "db", "app" })
        {
            var catalog = CatalogFor(role);
            await store.PutCatalogAsync(catalog.ContentHash, cipher.Seal(signer.Sign(catalog).ToByteArray()), cancellationToken);
            catalogs[role] = catalog;
        }

        var corrective = 0;
        var intentional = 0;
        var failed = 0;
        var motdNodes = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var name = NameOf(i);
            var role = RoleOf(i);
            var catalog = catalogs[role];
            var status = StatusOf(i);
            var enrolled = status == "new" ? now - TimeSpan.FromMinutes(5) : now - TimeSpan.FromDays(historyDays + 1);
            await store.UpsertNodeAsync(new NodeRecord
            {
                Name = name,
                Environment = EnvironmentOf(i),
                Roles = ["base", role],
                FactsJson = FactsJson(i, name),
                CatalogHash = catalog.ContentHash,
                EnrolledAt = enrolled,
                LastSeenAt = status == "unresponsive" ? now - TimeSpan.FromHours(3) : now - TimeSpan.FromMinutes(i % 25),
            }, cancellationToken);
            if (status == "new")
            {
                continue;
            }

            for (var d = historyDays; d >= 1; d--)
            {
                var at = now - TimeSpan.FromDays(d) + TimeSpan.FromSeconds(i % 600);
                var changes = new List<ChangeRecord>();
                if (DriftedDaysAgo(i, d))
                {
                    changes.Add(Change(name, $"h{d}", "file:/etc/motd", "base", "corrective", at, catalog.ContentHash, "welcome (edited by hand)", "welcome"));
                    corrective++;
                    motdNodes.Add(name);
                }
                if (ChangedDaysAgo(i, d))
                {
                    changes.Add(Change(name, $"h{d}", "package:curl", "base", "intentional", at, catalog.ContentHash, null, "7.88.1-10+deb12u5"));
                    intentional++;
                }
                if (changes.Count > 0)
                {
                    await store.SaveRunAsync(Run(name, $"h{d}", at, catalog, changes), changes, [], cancellationToken);
                }
            }

            var last = status == "unresponsive" ? now - TimeSpan.FromHours(3) : now - TimeSpan.FromMinutes(1 + (i % 25));
            var lastChanges = new List<ChangeRecord>();
            switch (status)
            {
                case "drifted":
                    lastChanges.Add(Change(name, "last", "file:/etc/motd", "base", "corrective", last, catalog.ContentHash, "hacked", "welcome"));
                    corrective++;
                    motdNodes.Add(name);
                    break;
                case "failing":
                    lastChanges.Add(Change(name, "last", $"service:{role}", role, "failed", last, catalog.ContentHash, null, null, "unit not found"));
                    failed++;
                    break;
                case "pending":
                    lastChanges.Add(new ChangeRecord
                    {
                        Node = name, RunId = "last", ResourceId = "package:curl", Kind = "package", Role = "base", Status = "would_change",
                        Class = "pending", ChangesJson = ChangesJson("version", "7.88.1-10+deb12u4", "7.88.1-10+deb12u5"), At = last, CatalogHash = catalog.ContentHash,
                    });
                    break;
                default:
                    break;
            }
            var states = catalog.Resources.Select(r => new ResourceStateRecord
            {
                Node = name, ResourceId = r.Id, Kind = r.Kind, Role = r.Role, RunId = "last", UpdatedAt = last,
                Status = lastChanges.FirstOrDefault(c => c.ResourceId == r.Id)?.Status ?? "in_sync",
                LastChangeClass = lastChanges.FirstOrDefault(c => c.ResourceId == r.Id)?.Class ?? "",
                LastChangedAt = lastChanges.Any(c => c.ResourceId == r.Id) ? last : null,
            }).ToList();
            await store.SaveRunAsync(Run(name, "last", last, catalog, lastChanges, status == "pending" ? "noop" : "enforce"), lastChanges, states, cancellationToken);
        }

        var statuses = Enumerable.Range(0, count).GroupBy(StatusOf).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new Expected(count, statuses, corrective, intentional, failed, motdNodes.Count);
    }

    /// <summary>What the dashboard must show for the seeded fleet (changes counted over the whole history).</summary>
    public sealed record Expected(int Total, IReadOnlyDictionary<string, int> Statuses, int Corrective, int Intentional, int Failed, int MotdDriftedNodes)
    {
        public int Count(string status) => Statuses.GetValueOrDefault(status);
    }

    public static Catalog CatalogFor(string role)
    {
        var catalog = new Catalog
        {
            Node = "",
            Environment = "main",
            Commit = "5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed",
            Roles = { "base", role },
            Resources =
            {
                new Resource { Id = "file:/etc/motd", Kind = "file", Name = "/etc/motd", Role = "base", File = new FileSpec { Path = "/etc/motd", Content = "welcome\n", Mode = "0644" } },
                new Resource { Id = "package:curl", Kind = "package", Name = "curl", Role = "base", Package = new PackageSpec { Name = "curl" } },
                new Resource { Id = $"service:{role}", Kind = "service", Name = role, Role = role, Service = new ServiceSpec { Name = role } },
            },
        };
        if (role == "app")
        {
            catalog.Resources.Add(new Resource
            {
                Id = "user:app", Kind = "user", Name = "app", Role = "app", SecretProperties = { "password_hash" },
                User = new UserSpec { Name = "app", PasswordHash = SecretValue, Shell = "/bin/bash" },
            });
        }
        catalog.ContentHash = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(catalog.ToByteArray()));
        return catalog;
    }

    private static RunRecord Run(string node, string runId, DateTimeOffset at, Catalog catalog, List<ChangeRecord> changes, string mode = "enforce")
    {
        var corrective = changes.Count(c => c.Class == "corrective");
        var intentional = changes.Count(c => c.Class == "intentional");
        var failed = changes.Count(c => c.Class == "failed");
        var pending = changes.Count(c => c.Class == "pending");
        return new RunRecord
        {
            Node = node, RunId = runId, Mode = mode, CatalogHash = catalog.ContentHash, Commit = catalog.Commit,
            StartedAt = at - TimeSpan.FromSeconds(2), FinishedAt = at, ReceivedAt = at, Total = catalog.Resources.Count,
            InSync = catalog.Resources.Count - changes.Count, Changed = corrective + intentional, WouldChange = pending, Failed = failed,
            Corrective = corrective, Intentional = intentional,
            State = failed > 0 ? "failing" : corrective > 0 ? "drifted" : pending > 0 ? "pending" : "converged",
        };
    }

    private static ChangeRecord Change(string node, string runId, string resource, string role, string cls, DateTimeOffset at, string catalogHash, string? before, string? after, string message = "") => new()
    {
        Node = node, RunId = runId, ResourceId = resource, Kind = resource.Split(':')[0], Role = role,
        Status = cls == "failed" ? "failed" : "changed", Class = cls, At = at, CatalogHash = catalogHash, Message = message,
        ChangesJson = cls == "failed" ? "[]" : ChangesJson(resource.StartsWith("file:", StringComparison.Ordinal) ? "content" : "version", before, after),
    };

    private static string ChangesJson(string property, string? before, string? after)
    {
        var change = new PropertyChange { Property = property };
        if (before is not null)
        {
            change.Before = before;
        }
        if (after is not null)
        {
            change.After = after;
        }
        return "[" + JsonFormatter.Default.Format(change) + "]";
    }

    private static string FactsJson(int i, string name)
    {
        var facts = new Facts
        {
            Hostname = name, Fqdn = name + ".example.org", Os = "debian", OsFamily = "Debian", Release = ReleaseOf(i),
            OsCodename = ReleaseOf(i) == "11" ? "bullseye" : "bookworm", Arch = "amd64", Cpus = 2 + (i % 3) * 2,
            MemoryBytes = (4L + (i % 4) * 4) * 1024 * 1024 * 1024, Kernel = "6.1.0-28-amd64", AgentVersion = "0.1.0",
            Ips = { string.Create(CultureInfo.InvariantCulture, $"10.{i / 65536 % 256}.{i / 256 % 256}.{i % 256}") },
            Cloud = { ["region"] = RegionOf(i), ["flavor"] = i % 5 == 0 ? "m1.large" : "m1.small" },
        };
        return JsonFormatter.Default.Format(facts);
    }

    internal static string Json(object value) => JsonSerializer.Serialize(value);
}
