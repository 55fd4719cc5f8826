namespace Bro.Client.Generators.Internal;

/// <summary>The task a contract method returns.</summary>
internal enum ReturnShape
{
    Task,
    TaskOfResult,
    ValueTask,
    ValueTaskOfResult,
}
