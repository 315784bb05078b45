using System.Globalization;
using Colabo.Config.Agent.Bench;
using Google.Protobuf;

// agent-bench generate --files N [--dirs 50] [--users 20] [--system] --out FILE(.json|.pb)
// agent-bench run --agent PATH [--work DIR] [--repeat 5] [--system] [--tarball TAR] [--scaling 1000,10000,50000]
if (args.Length == 0 || args[0] is not ("generate" or "run"))
{
    Console.Error.WriteLine("usage: agent-bench generate --files N [--dirs 50] [--users 20] [--system] --out FILE.json|FILE.pb\n       agent-bench run --agent PATH [--work DIR] [--repeat 5] [--system] [--tarball TAR] [--scaling 1000,10000,50000]");
    return 1;
}

string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
int Number(string name, int fallback) => Option(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
var system = args.Contains("--system");
var directories = Number("--dirs", 50);
var users = Number("--users", 20);

if (args[0] == "generate")
{
    var output = Option("--out") ?? throw new ArgumentException("--out is required");
    var catalog = CatalogGenerator.Generate(Number("--files", 1000), directories, users, system);
    if (output.EndsWith(".pb", StringComparison.Ordinal))
    {
        File.WriteAllBytes(output, catalog.ToByteArray());
    }
    else
    {
        File.WriteAllText(output, JsonFormatter.Default.Format(catalog));
    }

    Console.WriteLine($"{output}: {catalog.Resources.Count} resources");
    return 0;
}

var agent = Option("--agent") ?? throw new ArgumentException("--agent is required");
var work = Option("--work") ?? "/var/tmp/colabo-agent-bench";
var tarball = Option("--tarball") ?? "/var/cache/colabo-test/bookworm-minbase.tar";
var scaling = (Option("--scaling") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
var runner = new BenchRunner(agent, work, Number("--repeat", 5), system, tarball, directories, users);
Console.WriteLine(runner.Run(scaling));
return 0;
