using Xunit.Abstractions;
using Xunit.Sdk;

namespace Colabo.Config.SystemTests.Support;

/// <summary>
/// Runs a class's tests by their <see cref="StepAttribute"/>: the system test is one story (enroll,
/// drift, deploy, master crash) told on one booted node, each step starting where the previous ended.
/// </summary>
public sealed class StepOrderer : ITestCaseOrderer
{
    public const string Name = "Colabo.Config.SystemTests.Support.StepOrderer";
    public const string Assembly = "Colabo.Config.System.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases)
        where TTestCase : ITestCase =>
        testCases.OrderBy(test => test.TestMethod.Method.GetCustomAttributes(typeof(StepAttribute).AssemblyQualifiedName)
            .Select(a => (int)a.GetConstructorArguments().First())
            .DefaultIfEmpty(int.MaxValue)
            .First());
}
