namespace Colabo.Config.SystemTests.Support;

/// <summary>The position of a test in the end-to-end story; <see cref="StepOrderer"/> runs them in this order.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class StepAttribute(int number) : Attribute
{
    public int Number { get; } = number;
}
