using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Compiler.Bench -- --filter '*'   (see RESULTS.md)
// "--quick" runs each benchmark once with a stopwatch, as a smoke test.
if (args.Contains("--quick"))
{
    Colabo.Config.Compiler.Bench.QuickRun.Run();
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Colabo.Config.Compiler.Bench.CompilerBenchmarks).Assembly).Run(args);
