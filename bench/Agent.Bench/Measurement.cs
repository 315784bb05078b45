using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Colabo.Config.Agent.Bench;

/// <summary>One agent run under <c>/usr/bin/time -v</c>: wall time, peak RSS, exit code, and what the report said.</summary>
internal sealed partial record Measurement(double WallSeconds, double CpuSeconds, long PeakRssKiB, int ExitCode, string Summary, IReadOnlyList<string> Changed)
{
    public static Measurement Run(string agent, string catalog, string root, params string[] extra)
    {
        var stats = Path.GetTempFileName();
        var start = new ProcessStartInfo("/usr/bin/time") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-v", "-o", stats, agent, "apply", catalog, "--root", root }.Concat(extra))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var text = File.ReadAllText(stats);
        File.Delete(stats);
        if (process.ExitCode is not (0 or 3))
        {
            throw new InvalidOperationException($"agent exited with {process.ExitCode}:\n{Tail(output)}\n{error.Result}");
        }

        var lines = output.Split('\n');
        return new Measurement(
            Wall(WallPattern().Match(text).Groups[1].Value),
            Seconds(UserPattern().Match(text)) + Seconds(SystemPattern().Match(text)),
            long.Parse(RssPattern().Match(text).Groups[1].Value, CultureInfo.InvariantCulture),
            process.ExitCode,
            lines.LastOrDefault(l => l.Contains(" resources, ", StringComparison.Ordinal)) ?? "(no summary)",
            [.. lines.Where(l => l.StartsWith("changed ", StringComparison.Ordinal)).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])]);
    }

    public int Count(string status)
    {
        var match = Regex.Match(Summary, $@"(\d+) {status}", RegexOptions.CultureInvariant);
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
    }

    private static double Wall(string text)
    {
        // "m:ss.ss" or "h:mm:ss"
        var parts = text.Split(':');
        var seconds = 0.0;
        foreach (var part in parts)
        {
            seconds = (seconds * 60) + double.Parse(part, CultureInfo.InvariantCulture);
        }

        return seconds;
    }

    private static double Seconds(Match match) => double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);

    private static string Tail(string text) => text.Length > 3000 ? text[^3000..] : text;

    [GeneratedRegex(@"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([0-9:.]+)")]
    private static partial Regex WallPattern();

    [GeneratedRegex(@"User time \(seconds\): ([0-9.]+)")]
    private static partial Regex UserPattern();

    [GeneratedRegex(@"System time \(seconds\): ([0-9.]+)")]
    private static partial Regex SystemPattern();

    [GeneratedRegex(@"Maximum resident set size \(kbytes\): (\d+)")]
    private static partial Regex RssPattern();
}
