// Integration tests start masters on their own ports and data dirs; unit tests are quick. Parallel is fine.
[assembly: CollectionBehavior(MaxParallelThreads = 4)]
