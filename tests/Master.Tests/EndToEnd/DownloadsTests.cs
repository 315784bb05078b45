using System.Net;
using System.Security.Cryptography;
using Colabo.Config.Master.Tests.Support;

namespace Colabo.Config.Master.Tests.EndToEnd;

/// <summary>What cloud-init fetches: the agent package and its checksum, anonymously over the master's TLS.</summary>
public sealed class DownloadsTests
{
    [Fact(Timeout = 60_000)]
    public async Task The_agent_package_and_its_sha256_are_served_anonymously_and_nothing_outside_the_directory_is()
    {
        var downloads = Directory.CreateTempSubdirectory("colabo-downloads-").FullName;
        var package = RandomNumberGenerator.GetBytes(100_000);
        await File.WriteAllBytesAsync(Path.Combine(downloads, "colabo-agent_amd64.deb"), package);
        await File.WriteAllTextAsync(Path.Combine(Path.GetDirectoryName(downloads)!, "outside.txt"), "secret");
        await using var master = await TestMaster.StartAsync(null, o => o with { DownloadsDir = downloads });
        using var http = new HttpClient(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, chain, _) =>
            {
                chain!.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(master.Ca);
                return chain.Build(certificate!);
            },
        });
        var baseUrl = master.Host.Url.ToString().TrimEnd('/');

        var body = await http.GetByteArrayAsync($"{baseUrl}/downloads/colabo-agent_amd64.deb");
        var checksum = await http.GetStringAsync($"{baseUrl}/downloads/colabo-agent_amd64.deb.sha256");
        var escape = await http.GetAsync($"{baseUrl}/downloads/..%2Foutside.txt");
        var missing = await http.GetAsync($"{baseUrl}/downloads/colabo-master_amd64.deb");

        Assert.Equal(package, body);
        Assert.Equal($"{Convert.ToHexStringLower(SHA256.HashData(package))}  colabo-agent_amd64.deb\n", checksum);
        Assert.Equal(HttpStatusCode.NotFound, escape.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
