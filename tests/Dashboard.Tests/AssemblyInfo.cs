// One seeded master per test class; the browser tests are heavy enough on 2 cores to run one class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
