using System.Diagnostics;
using System.Text;

namespace Colabo.Config.Rpc.Tests.Support;

/// <summary>Runs the independent gRPC peers in tests/interop (grpc-js on Node, grpcio on Debian's python3).</summary>
public static class InteropPeer
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string InteropDir => Path.Combine(RepoRoot, "tests", "interop");

    public static ProcessStartInfo Command(string peer, string script, params string[] args)
    {
        ProcessStartInfo psi;
        if (peer == "node")
        {
            if (!Directory.Exists(Path.Combine(InteropDir, "node_modules", "@grpc", "grpc-js")))
            {
                throw new InvalidOperationException($"grpc-js is not installed in {InteropDir}: run tests/setup/40-interop.sh.");
            }
            psi = new ProcessStartInfo("node") { ArgumentList = { Path.Combine(InteropDir, "node", script + ".js") } };
        }
        else
        {
            psi = new ProcessStartInfo("/usr/bin/python3") { ArgumentList = { "-u", Path.Combine(InteropDir, "python", script + ".py") } };
        }
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        psi.WorkingDirectory = InteropDir;
        return psi;
    }

    /// <summary>Writes ca.crt, server.crt/key and client.crt/key (PEM) for the peers.</summary>
    public static string WriteCertificates(MutualTls tls)
    {
        var dir = Directory.CreateTempSubdirectory("colabo-rpc-interop-").FullName;
        File.WriteAllText(Path.Combine(dir, "ca.crt"), TestPki.ToPem(tls.Pki.Authority));
        File.WriteAllText(Path.Combine(dir, "server.crt"), TestPki.ToPem(tls.ServerCertificate));
        File.WriteAllText(Path.Combine(dir, "server.key"), TestPki.KeyToPem(tls.ServerCertificate));
        File.WriteAllText(Path.Combine(dir, "client.crt"), TestPki.ToPem(tls.ClientCertificate));
        File.WriteAllText(Path.Combine(dir, "client.key"), TestPki.KeyToPem(tls.ClientCertificate));
        return dir;
    }

    /// <summary>Runs a peer client to completion and returns its single line of JSON output.</summary>
    public static async Task<string> RunClientAsync(string peer, string target, string? tlsDir, CancellationToken cancellationToken)
    {
        var args = new List<string> { "--target", target };
        if (tlsDir is not null)
        {
            args.AddRange(["--tls-dir", tlsDir]);
        }
        using var process = Process.Start(Command(peer, "client", [.. args]))!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{peer} client exited with {process.ExitCode}: {await stderr}{await stdout}");
        }
        return (await stdout).Trim();
    }

    public static string FindRepoRootForTests() => RepoRoot;

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Colabo.Config.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Cannot find the repository root (Colabo.Config.sln) above " + AppContext.BaseDirectory);
    }
}

/// <summary>A peer server process; disposing it kills it.</summary>
public sealed class PeerServer : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private PeerServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public static async Task<PeerServer> StartAsync(string peer, string? tlsDir, CancellationToken cancellationToken)
    {
        var args = tlsDir is null ? Array.Empty<string>() : ["--tls-dir", tlsDir];
        var process = Process.Start(InteropPeer.Command(peer, "server", args))!;
        var errors = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                errors.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync(cancellationToken);
            if (line is null)
            {
                process.Dispose();
                throw new InvalidOperationException($"{peer} server exited before listening: {errors}");
            }
            if (line.StartsWith("LISTENING ", StringComparison.Ordinal))
            {
                return new PeerServer(process, int.Parse(line["LISTENING ".Length..], System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process.Dispose();
        GC.KeepAlive(_stderr);
    }
}
