using System.Diagnostics;

namespace Colabo.Config.Compiler.Bench;

/// <summary>A fast stopwatch run of every benchmark (no statistics), to check figures while developing.</summary>
internal static class QuickRun
{
    public static void Run()
    {
        var b = new CompilerBenchmarks();
        b.Setup();
        Measure("compile 500 (parsed snapshot)", 200, () => b.Compile_500_resources_from_a_parsed_snapshot());
        Measure("compile 500 (with YAML parse)", 100, () => b.Compile_500_resources_including_yaml_parse());
        var texts = SyntheticRepository.Create().Files.Where(f => f.Path.StartsWith("roles/", StringComparison.Ordinal)).Select(f => f.Text).ToList();
        Measure("YamlDotNet load of the role files only", 100, () =>
        {
            foreach (var text in texts)
            {
                new YamlDotNet.RepresentationModel.YamlStream().Load(new StringReader(text));
            }
            return texts.Count;
        });
        Measure("cached unchanged (fresh facts)", 100_000, () => b.Cached_unchanged_answer_with_fresh_facts());
        Measure("cached unchanged", 1_000_000, () => b.Cached_unchanged_answer());
    }

    private static void Measure(string name, int iterations, Func<object> action)
    {
        for (var i = 0; i < Math.Min(iterations, 50); i++)
        {
            action();
        }
        // CPU time as well as wall time: on a loaded machine the wall clock mostly measures the others.
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            action();
        }
        var wall = watch.Elapsed.TotalMicroseconds / iterations;
        var used = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / iterations;
        Console.WriteLine($"{name}: {wall:F2} µs wall, {used:F2} µs CPU");
    }
}
