using System.Diagnostics;
using System.Globalization;
using System.Text;
using Colabo.Config.Contracts.V1;
using Google.Protobuf;

namespace Colabo.Config.Agent.Bench;

/// <summary>Runs the scenarios of issue 4 section 7 and prints a Markdown report.</summary>
internal sealed class BenchRunner(string agent, string work, int repeat, bool system, string debianTarball, int directories, int users)
{
    private readonly StringBuilder _report = new();

    public string Run(IReadOnlyList<int> scaling)
    {
        Directory.CreateDirectory(work);
        var catalog = WriteCatalog(1000, "json");
        var root = Path.Combine(work, "root");

        var first = new List<Measurement>();
        for (var i = 0; i < repeat; i++)
        {
            PrepareRoot(root);
            var m = Measurement.Run(agent, catalog, root);
            Require(m.Count("failed") == 0 && m.Count("changed") > 0, "first converge", m);
            first.Add(m);
        }

        var noop = Enumerable.Range(0, repeat).Select(_ => Measurement.Run(agent, catalog, root)).ToList();
        foreach (var m in noop)
        {
            Require(m.Count("changed") == 0 && m.Count("failed") == 0, "no-op run", m);
        }

        var repair = new List<Measurement>();
        var exact = true;
        for (var i = 0; i < repeat; i++)
        {
            var expected = Drift(root, 1000, i);
            var m = Measurement.Run(agent, catalog, root);
            Require(m.Count("failed") == 0, "repair", m);
            exact &= expected.Order().SequenceEqual(m.Changed.Order());
            Require(expected.Order().SequenceEqual(m.Changed.Order()), $"repair {i}: expected exactly [{string.Join(", ", expected.Order())}] changed", m);
            repair.Add(m);
        }

        _report.AppendLine(CultureInfo.InvariantCulture, $"Catalog: {CountResources(catalog)} resources ({(system ? "files, directories, line, users, keys, packages" : "files, directories and the line; no users/keys/packages")}), proto3 JSON {new FileInfo(catalog).Length / 1024} KiB.");
        _report.AppendLine();
        _report.AppendLine("| scenario | median wall (s) | min-max wall (s) | median CPU user+sys (s) | median peak RSS (MiB) | report (last run) |");
        _report.AppendLine("|---|---|---|---|---|---|");
        Row("first converge", first);
        Row("no-op", noop);
        Row($"repair ({(system ? "10 files changed, 1 key file deleted, 1 mode changed" : "10 files changed, 1 mode changed")})", repair);
        _report.AppendLine();
        _report.AppendLine(exact ? "Repair: every run reported exactly the drifted resources as changed and everything else in sync." : "Repair: MISMATCH, see above.");
        _report.AppendLine();

        if (scaling.Count > 0)
        {
            _report.AppendLine("No-op scaling (same shape, files only vary):");
            _report.AppendLine();
            _report.AppendLine("| files | resources | catalog | median wall (s) | median CPU (s) | median peak RSS (MiB) | CPU per 1k resources (ms) |");
            _report.AppendLine("|---|---|---|---|---|---|---|");
            foreach (var files in scaling)
            {
                foreach (var format in new[] { "json", "pb" })
                {
                    var scaled = WriteCatalog(files, format);
                    var scaledRoot = Path.Combine(work, $"root-{files}");
                    PrepareRoot(scaledRoot);
                    Require(Measurement.Run(agent, scaled, scaledRoot).Count("failed") == 0, $"converge {files}", null);
                    var runs = Enumerable.Range(0, repeat).Select(_ => Measurement.Run(agent, scaled, scaledRoot)).ToList();
                    var resources = CountResources(scaled);
                    var wall = Median(runs.Select(r => r.WallSeconds));
                    var cpu = Median(runs.Select(r => r.CpuSeconds));
                    _report.AppendLine(CultureInfo.InvariantCulture, $"| {files:N0} | {resources:N0} | {(format == "pb" ? "binary" : "JSON")} {new FileInfo(scaled).Length / (1024 * 1024.0):0.0} MiB | {wall:0.000} | {cpu:0.000} | {Median(runs.Select(r => r.PeakRssKiB / 1024.0)):0.0} | {cpu * 1000 / (resources / 1000.0):0.0} |");
                    Directory.Delete(scaledRoot, recursive: true);
                }
            }
        }

        return _report.ToString();
    }

    private void Row(string name, List<Measurement> runs)
    {
        var walls = runs.Select(r => r.WallSeconds).ToList();
        _report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Median(walls):0.000} | {walls.Min():0.00}-{walls.Max():0.00} | {Median(runs.Select(r => r.CpuSeconds)):0.000} | {Median(runs.Select(r => r.PeakRssKiB / 1024.0)):0.0} | {runs[^1].Summary.Split(": ", 2)[^1]} |");
    }

    /// <summary>Changes 10 files, one mode and (with users) deletes one key file; returns the ids that must be reported changed.</summary>
    private List<string> Drift(string root, int files, int round)
    {
        var changed = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var path = CatalogGenerator.FilePath(((i * 97) + round) % files, directories);
            File.AppendAllText(root + path, "drifted\n");
            changed.Add("file:" + path);
        }

        var modePath = CatalogGenerator.FilePath(500 + round, directories);
        File.SetUnixFileMode(root + modePath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        changed.Add("file:" + modePath);
        if (system)
        {
            var user = CatalogGenerator.UserName(round % users);
            File.Delete($"{root}/home/{user}/.ssh/authorized_keys");
            changed.Add($"ssh_authorized_key:{user}@bench");
        }

        return changed;
    }

    private void PrepareRoot(string root)
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        Directory.CreateDirectory(root);
        if (system)
        {
            Shell("tar", "-C", root, "-xf", debianTarball);
        }
        else
        {
            Directory.CreateDirectory(root + "/etc");
            File.WriteAllText(root + "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
            File.WriteAllText(root + "/etc/group", "root:x:0:\n");
        }

        File.WriteAllText(root + CatalogGenerator.LineFile, "# bench service\nlisten = 0.0.0.0\nmax_connections = 10\n");
    }

    private string WriteCatalog(int files, string format)
    {
        var path = Path.Combine(work, $"catalog-{files}{(system ? "-system" : string.Empty)}.{format}");
        if (!File.Exists(path))
        {
            var catalog = CatalogGenerator.Generate(files, directories, users, system);
            if (format == "pb")
            {
                File.WriteAllBytes(path, catalog.ToByteArray());
            }
            else
            {
                File.WriteAllText(path, JsonFormatter.Default.Format(catalog));
            }
        }

        return path;
    }

    private static int CountResources(string catalog) =>
        (catalog.EndsWith(".pb", StringComparison.Ordinal) ? Catalog.Parser.ParseFrom(File.ReadAllBytes(catalog)) : JsonParser.Default.Parse<Catalog>(File.ReadAllText(catalog))).Resources.Count;

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static void Require(bool condition, string what, Measurement? m)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"{what} is not as expected: {m?.Summary}\nchanged: {string.Join(", ", m?.Changed ?? [])}");
        }
    }

    private static void Shell(string program, params string[] arguments)
    {
        using var process = Process.Start(program, arguments);
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}");
        }
    }
}
