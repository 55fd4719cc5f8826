using Bro.Client.Generators.Internal;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Bro.Client.Generators;

/// <summary>
/// Generates, for each interface marked <c>[BroService("name")]</c>, a proxy that calls the
/// service through <c>BroClient</c> and a registration that serves an implementation, both
/// registered with <c>BroContracts</c> from a module initializer; reports BRO001 to BRO009 for
/// contracts that cannot work.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ContractGenerator : IIncrementalGenerator
{
    /// <summary>The name of the parse step, for tests that check it is cached between edits.</summary>
    internal const string ParseStep = "BroContracts";

    private const string ServiceAttribute = "Bro.Client.Contracts.BroServiceAttribute";

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // Any type declaration: the attribute only allows interfaces, but one put on a class is
        // still parsed, to say why nothing is generated for it (BRO001).
        var contracts = context.SyntaxProvider.ForAttributeWithMetadataName(
            ServiceAttribute,
            static (node, _) => node is TypeDeclarationSyntax,
            static (attributed, cancellationToken) => ContractParser.Parse(attributed, cancellationToken))
            .WithTrackingName(ParseStep);

        context.RegisterSourceOutput(contracts, static (output, result) =>
        {
            foreach (var diagnostic in result.Diagnostics)
                output.ReportDiagnostic(diagnostic.ToDiagnostic());
            if (result.Contract is { } contract)
                output.AddSource(contract.HintName, ContractEmitter.Emit(contract));
        });
    }
}
