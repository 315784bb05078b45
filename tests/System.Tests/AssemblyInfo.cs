// One booted node and one master for the whole assembly; the steps run in order (Support/StepOrderer).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
