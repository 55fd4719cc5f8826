using Bro.Client.Generators.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Bro.Client.Generators.Tests;

/// <summary>
/// An edit that does not change a contract reuses its parse instead of generating again: the
/// pipeline's values compare by content (no symbols, no syntax trees in them), so even the parse
/// of an edited file compares equal to the last one.
/// </summary>
public sealed class IncrementalitySpec
{
    private const string Contract = """
        using System.Threading;
        using System.Threading.Tasks;
        using Bro.Client.Contracts;

        public sealed record Ping(string Text);

        [BroService("echo")]
        public interface IEcho
        {
            Task<string> EchoAsync(Ping request, CancellationToken ct = default);
        }
        """;

    [Fact]
    public void An_edit_beside_a_contract_in_its_own_file_leaves_its_parse_unchanged()
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(
            "Incremental",
            [CSharpSyntaxTree.ParseText(Contract, parse)],
            ContractGeneratorTest.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new ContractGenerator().AsSourceGenerator()],
            parseOptions: parse,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGenerators(compilation);
        Assert.Single(driver.GetRunResult().GeneratedTrees);

        var tree = compilation.SyntaxTrees[0];
        var edited = compilation.ReplaceSyntaxTree(
            tree, tree.WithChangedText(tree.GetText().Replace(tree.Length, 0, "\npublic static class Other { }\n")));
        driver = driver.RunGenerators(edited);

        var run = driver.GetRunResult().Results.Single();
        var outputs = run.TrackedSteps[ContractGenerator.ParseStep].SelectMany(step => step.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, output => Assert.Equal(IncrementalStepRunReason.Unchanged, output.Reason));
        Assert.Single(run.GeneratedSources);
    }
}
