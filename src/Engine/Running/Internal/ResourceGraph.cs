using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Engine.Running.Internal;

/// <summary>
/// The resources of a catalog and their ordering edges: requires, implicit_requires, and notify
/// (a notifier comes before the resource it notifies). Resources caught in a dependency cycle are
/// settled up front so the rest of the graph can run.
/// </summary>
internal sealed class ResourceGraph
{
    private ResourceGraph(Node[] nodes) => Nodes = nodes;

    public Node[] Nodes { get; }

    public static ResourceGraph Build(IReadOnlyList<Resource> resources)
    {
        var nodes = new Node[resources.Count];
        var index = new Dictionary<string, int>(resources.Count, StringComparer.Ordinal);
        for (var i = 0; i < nodes.Length; i++)
        {
            nodes[i] = new Node(i, resources[i]);
            if (!index.TryAdd(resources[i].Id, i))
            {
                nodes[i].Problem = $"'{resources[i].Id}' is declared twice in the catalog";
            }
        }

        foreach (var node in nodes)
        {
            foreach (var id in node.Resource.Requires.Concat(node.Resource.ImplicitRequires))
            {
                if (!index.TryGetValue(id, out var dependency))
                {
                    node.Problem ??= $"requires '{id}', which is not in the catalog";
                }
                else if (dependency != node.Index)
                {
                    AddEdge(nodes[dependency], node);
                }
            }

            foreach (var id in node.Resource.Notify)
            {
                if (!index.TryGetValue(id, out var target))
                {
                    node.Problem ??= $"notifies '{id}', which is not in the catalog";
                }
                else if (target != node.Index)
                {
                    AddEdge(node, nodes[target]);
                    nodes[target].Notifiers.Add(node.Index);
                }
            }
        }

        SettleCycles(nodes);
        return new ResourceGraph(nodes);
    }

    private static void AddEdge(Node from, Node to)
    {
        if (to.Dependencies.Add(from.Index))
        {
            from.Dependents.Add(to.Index);
        }
    }

    private static void SettleCycles(Node[] nodes)
    {
        // Kahn's algorithm: whatever never becomes ready is in a cycle or behind one.
        var remaining = nodes.Select(n => n.Dependencies.Count).ToArray();
        var queue = new Queue<int>(nodes.Where(n => n.Dependencies.Count == 0).Select(n => n.Index));
        var reached = new bool[nodes.Length];
        while (queue.TryDequeue(out var i))
        {
            reached[i] = true;
            foreach (var d in nodes[i].Dependents)
            {
                if (--remaining[d] == 0)
                {
                    queue.Enqueue(d);
                }
            }
        }

        var stuck = new HashSet<int>(nodes.Where(n => !reached[n.Index]).Select(n => n.Index));
        if (stuck.Count == 0)
        {
            return;
        }

        // Peel off the resources only behind a cycle (nothing stuck depends on them); the rest form cycles.
        bool peeled;
        var behind = new HashSet<int>();
        do
        {
            peeled = false;
            foreach (var i in stuck.ToArray())
            {
                if (!nodes[i].Dependents.Any(stuck.Contains))
                {
                    stuck.Remove(i);
                    behind.Add(i);
                    peeled = true;
                }
            }
        }
        while (peeled);

        var cycle = string.Join(", ", stuck.Order().Take(8).Select(i => nodes[i].Resource.Id)) + (stuck.Count > 8 ? ", ..." : string.Empty);
        foreach (var i in stuck)
        {
            nodes[i].Settled = (OutcomeStatus.Failed, $"dependency cycle among: {cycle}");
        }

        foreach (var i in behind)
        {
            nodes[i].Settled = (OutcomeStatus.Skipped, $"depends on a dependency cycle among: {cycle}");
        }
    }

    internal sealed class Node(int index, Resource resource)
    {
        public int Index { get; } = index;

        public Resource Resource { get; } = resource;

        public HashSet<int> Dependencies { get; } = [];

        public List<int> Dependents { get; } = [];

        /// <summary>Resources that notify this one.</summary>
        public List<int> Notifiers { get; } = [];

        /// <summary>Why the resource fails before any module is asked (unknown dependency, duplicate id).</summary>
        public string? Problem { get; set; }

        /// <summary>An outcome known before the run starts (dependency cycles).</summary>
        public (OutcomeStatus Status, string Message)? Settled { get; set; }
    }
}
