using Colabo.Config.Compiler.Internal;
using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Compiler.Compilation;

/// <summary>Checks references, adds implicit edges, fills purge/exclusive lists and finds cycles.</summary>
internal static class DependencyGraph
{
    public static void Complete(Catalog catalog, Dictionary<string, SourceSpan> locations,
        Dictionary<string, Dictionary<string, SourceSpan>> referenceLocations, IReadOnlySet<string> excluded, string node, List<CompileError> errors)
    {
        var byId = catalog.Resources.ToDictionary(r => r.Id, StringComparer.Ordinal);

        // A reference to a resource that a `when` left out for this node is dropped: "restart nginx
        // when its config changes" holds only where the nginx service is managed at all.
        foreach (var r in catalog.Resources)
        {
            foreach (var list in new[] { r.Requires, r.Notify })
            {
                var gone = list.Where(t => !byId.ContainsKey(t) && excluded.Contains(t)).ToList();
                foreach (var target in gone)
                {
                    list.Remove(target);
                }
            }
        }

        foreach (var r in catalog.Resources)
        {
            foreach (var list in new[] { r.Requires, r.Notify })
            {
                foreach (var target in list)
                {
                    if (!byId.ContainsKey(target))
                    {
                        var at = referenceLocations.TryGetValue(r.Id, out var refs) && refs.TryGetValue(target, out var a) ? a : locations[r.Id];
                        var verb = ReferenceEquals(list, r.Requires) ? "requires" : "notifies";
                        var hint = target.Contains(':', StringComparison.Ordinal) ? "" : " (write references as kind:name, e.g. package:nginx)";
                        errors.Add(at.Error("unknown-reference",
                            $"{r.Id} {verb} '{target}', which is not in the catalog of node '{node}'{hint}{Suggest.DidYouMean(target, byId.Keys)}"));
                    }
                }
            }
        }

        foreach (var r in catalog.Resources)
        {
            var implicitEdges = new SortedSet<string>(StringComparer.Ordinal);
            void Add(string id)
            {
                if (id != r.Id && byId.ContainsKey(id) && !r.Requires.Contains(id))
                {
                    implicitEdges.Add(id);
                }
            }
            switch (r.SpecCase)
            {
                case Resource.SpecOneofCase.SshAuthorizedKey:
                    Add("user:" + r.SshAuthorizedKey.User);
                    break;
                case Resource.SpecOneofCase.File:
                    Add("user:" + r.File.Owner);
                    Add("group:" + r.File.Group);
                    AddParentDirectory(r.File.Path, byId, Add);
                    break;
                case Resource.SpecOneofCase.Directory:
                    Add("user:" + r.Directory.Owner);
                    Add("group:" + r.Directory.Group);
                    AddParentDirectory(r.Directory.Path, byId, Add);
                    break;
                case Resource.SpecOneofCase.Line:
                    Add("file:" + r.Line.Path);
                    AddParentDirectory(r.Line.Path, byId, Add);
                    break;
                case Resource.SpecOneofCase.Service:
                    Add("package:" + r.Service.Name);
                    break;
                case Resource.SpecOneofCase.User:
                    Add("group:" + r.User.Group);
                    foreach (var g in r.User.Groups)
                    {
                        Add("group:" + g);
                    }
                    break;
                case Resource.SpecOneofCase.Exec:
                    Add("user:" + r.Exec.User);
                    break;
                case Resource.SpecOneofCase.DockerContainer:
                    Add("docker_image:" + r.DockerContainer.Image);
                    foreach (var n in r.DockerContainer.Networks)
                    {
                        Add("docker_network:" + n);
                    }
                    break;
            }
            r.ImplicitRequires.AddRange(implicitEdges);
        }

        FillManagedLists(catalog);
        FindCycles(catalog, byId, locations, errors);
    }

    private static void AddParentDirectory(string path, Dictionary<string, Resource> byId, Action<string> add)
    {
        // The nearest managed ancestor directory.
        for (var parent = PathRules.Parent(path); parent is not null; parent = PathRules.Parent(parent))
        {
            if (byId.ContainsKey("directory:" + parent))
            {
                add("directory:" + parent);
                return;
            }
        }
    }

    private static void FillManagedLists(Catalog catalog)
    {
        foreach (var d in catalog.Resources.Where(r => r.SpecCase == Resource.SpecOneofCase.Directory && r.Directory.Purge))
        {
            var children = catalog.Resources
                .Select(r => r.SpecCase switch
                {
                    Resource.SpecOneofCase.File => r.File.Path,
                    Resource.SpecOneofCase.Directory => r.Directory.Path,
                    _ => null,
                })
                .Where(p => p is not null && PathRules.Parent(p) == d.Directory.Path)
                .Select(p => p![(p!.LastIndexOf('/') + 1)..])
                .Order(StringComparer.Ordinal);
            d.Directory.ManagedEntries.AddRange(children);
        }
        foreach (var k in catalog.Resources.Where(r => r.SpecCase == Resource.SpecOneofCase.SshAuthorizedKey && r.SshAuthorizedKey.Exclusive))
        {
            var keys = catalog.Resources
                .Where(r => r.SpecCase == Resource.SpecOneofCase.SshAuthorizedKey && r.SshAuthorizedKey.User == k.SshAuthorizedKey.User && r.Ensure != Ensure.Absent)
                .Select(r => r.SshAuthorizedKey.Key)
                .Distinct()
                .Order(StringComparer.Ordinal);
            k.SshAuthorizedKey.ManagedKeys.AddRange(keys);
        }
    }

    /// <summary>Edges "a must come before b"; each cycle is reported once, naming every member.</summary>
    private static void FindCycles(Catalog catalog, Dictionary<string, Resource> byId, Dictionary<string, SourceSpan> locations, List<CompileError> errors)
    {
        // before[x] = resources that must run before x.
        var before = catalog.Resources.ToDictionary(r => r.Id, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var r in catalog.Resources)
        {
            before[r.Id].AddRange(r.Requires.Concat(r.ImplicitRequires).Where(byId.ContainsKey));
            foreach (var n in r.Notify.Where(byId.ContainsKey))
            {
                before[n].Add(r.Id);
            }
        }
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 visiting, 2 done
        var stack = new List<string>();
        foreach (var r in catalog.Resources)
        {
            Visit(r.Id);
        }

        void Visit(string id)
        {
            if (state.TryGetValue(id, out var s))
            {
                if (s == 1)
                {
                    var start = stack.IndexOf(id);
                    var cycle = stack[start..];
                    var first = cycle.MinBy(c => locations[c].ToString(), StringComparer.Ordinal)!;
                    var rotated = cycle.SkipWhile(c => c != first).Concat(cycle.TakeWhile(c => c != first)).ToList();
                    var text = string.Join(" -> ", rotated.Append(first));
                    errors.Add(locations[first].Error("dependency-cycle",
                        $"dependency cycle: {text} (each must come after the next); remove one of these requires/notify edges ({string.Join(", ", rotated.Select(c => $"{c} at {locations[c]}"))})"));
                }
                return;
            }
            state[id] = 1;
            stack.Add(id);
            foreach (var dep in before[id])
            {
                Visit(dep);
            }
            stack.RemoveAt(stack.Count - 1);
            state[id] = 2;
        }
    }
}
