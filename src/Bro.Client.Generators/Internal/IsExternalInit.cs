namespace System.Runtime.CompilerServices;

/// <summary>Lets netstandard2.0 compile records and init accessors (the type ships only in .NET 5+).</summary>
internal static class IsExternalInit
{
}
