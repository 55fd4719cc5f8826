using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Bro.Client.Generators.Tests.Support;

/// <summary>
/// The Roslyn source-generator harness for <see cref="ContractGenerator"/>: compiles the test's
/// source with the generator against this process's own .NET and Bro.Client, then compares the
/// generated files and every diagnostic (generator's and compiler's, with locations).
/// </summary>
internal sealed class ContractGeneratorTest : CSharpSourceGeneratorTest<ContractGenerator, DefaultVerifier>
{
    // The running runtime's assemblies, not a reference pack downloaded by the harness: the tests
    // need no network, and generated code is compiled against exactly the Bro.Client under test.
    public static readonly ImmutableArray<MetadataReference> References =
    [
        .. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path) is var name
                && (name.StartsWith("System.", StringComparison.Ordinal) || name is "netstandard.dll" or "mscorlib.dll"
                    || name.StartsWith("Bro.", StringComparison.Ordinal)))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path)),
    ];

    public ContractGeneratorTest()
    {
        ReferenceAssemblies = new ReferenceAssemblies("net10.0");
        TestState.AdditionalReferences.AddRange(References);
    }

    protected override CompilationOptions CreateCompilationOptions() =>
        ((CSharpCompilationOptions)base.CreateCompilationOptions()).WithNullableContextOptions(NullableContextOptions.Enable);

    protected override ParseOptions CreateParseOptions() =>
        ((CSharpParseOptions)base.CreateParseOptions()).WithLanguageVersion(LanguageVersion.Latest);
}
