using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Colabo.Config.Rpc.Server")]
[assembly: InternalsVisibleTo("Colabo.Config.Rpc.Tests")]
