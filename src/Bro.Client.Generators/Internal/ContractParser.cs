using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace Bro.Client.Generators.Internal;

/// <summary>Reads a [BroService] declaration into a <see cref="ContractModel"/>, or the errors that prevent one.</summary>
internal static class ContractParser
{
    private const string MethodAttribute = "Bro.Client.Contracts.BroMethodAttribute";

    // global:: everywhere, so generated code means the same whatever the user's usings and names;
    // nullable annotations kept, so the proxy's signatures match the interface's exactly.
    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static ContractResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var location = type.Locations.FirstOrDefault();
        var attribute = context.Attributes[0];
        var serviceName = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;

        if (type.TypeKind != TypeKind.Interface)
        {
            diagnostics.Add(DiagnosticInfo.Create(ContractDiagnostics.NotAnInterface, location, type.Name));
            return Result(null, diagnostics);
        }

        if (IsGeneric(type))
            diagnostics.Add(DiagnosticInfo.Create(ContractDiagnostics.GenericInterface, location, type.Name));
        if (!IsAccessibleInAssembly(type))
            diagnostics.Add(DiagnosticInfo.Create(ContractDiagnostics.InaccessibleInterface, location, type.Name));
        if (string.IsNullOrWhiteSpace(serviceName))
            diagnostics.Add(DiagnosticInfo.Create(ContractDiagnostics.EmptyServiceName, AttributeLocation(attribute, location), type.Name));

        var methods = new List<MethodModel>();
        var byWireName = new Dictionary<string, IMethodSymbol>();
        foreach (var member in new[] { type }.Concat(type.AllInterfaces).SelectMany(i => i.GetMembers()))
        {
            cancellationToken.ThrowIfCancellationRequested();

            // Static members and members with a body are the interface's own code, not remote methods.
            if (member.IsStatic || !member.IsAbstract)
                continue;
            if (member is not IMethodSymbol { MethodKind: MethodKind.Ordinary, IsGenericMethod: false } method)
            {
                if (member is IPropertySymbol or IEventSymbol or IMethodSymbol { MethodKind: MethodKind.Ordinary })
                    diagnostics.Add(DiagnosticInfo.Create(ContractDiagnostics.UnsupportedMember, member.Locations.FirstOrDefault(), member.Name));
                continue;
            }

            var model = ParseMethod(method, diagnostics);
            if (model is null)
                continue;
            if (byWireName.TryGetValue(model.WireName, out var first))
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    ContractDiagnostics.DuplicateMethodName, method.Locations.FirstOrDefault(),
                    first.Name, method.Name, model.WireName, serviceName ?? string.Empty));
                continue;
            }

            byWireName.Add(model.WireName, method);
            methods.Add(model);
        }

        if (diagnostics.Count > 0)
            return Result(null, diagnostics);

        var contract = new ContractModel(
            type.ContainingNamespace.IsGlobalNamespace ? string.Empty : type.ContainingNamespace.ToDisplayString(),
            type.ToDisplayString(TypeFormat),
            TypeStem(type),
            HintName(type),
            serviceName!,
            new EquatableArray<MethodModel>(methods.ToImmutableArray()));
        return Result(contract, diagnostics);
    }

    private static MethodModel? ParseMethod(IMethodSymbol method, List<DiagnosticInfo> diagnostics)
    {
        var location = method.Locations.FirstOrDefault();
        var valid = true;

        var wireName = WireNames.FromMethodName(method.Name);
        var named = method.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == MethodAttribute);
        if (named is not null)
        {
            var name = named.ConstructorArguments.Length == 1 ? named.ConstructorArguments[0].Value as string : null;
            if (string.IsNullOrWhiteSpace(name))
            {
                diagnostics.Add(DiagnosticInfo.Create(ContractDiagnostics.EmptyMethodName, AttributeLocation(named, location), method.Name));
                valid = false;
            }
            else
            {
                wireName = name!;
            }
        }

        var returns = Shape(method.ReturnType);
        if (returns is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                ContractDiagnostics.UnsupportedReturnType, location, method.Name, method.ReturnType.ToDisplayString()));
            valid = false;
        }

        var parameters = method.Parameters;
        var token = parameters.Length > 0 && IsCancellationToken(parameters[parameters.Length - 1].Type)
            ? parameters[parameters.Length - 1]
            : null;
        var requests = token is null ? parameters : parameters.RemoveAt(parameters.Length - 1);
        var problem = ParameterProblem(parameters, requests);
        if (problem is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                ContractDiagnostics.UnsupportedParameters, problem.Value.Location ?? location, method.Name, problem.Value.Reason));
            valid = false;
        }

        if (!valid)
            return null;

        var request = requests.FirstOrDefault();
        var result = returns is ReturnShape.TaskOfResult or ReturnShape.ValueTaskOfResult
            ? ((INamedTypeSymbol)method.ReturnType).TypeArguments[0].ToDisplayString(TypeFormat)
            : null;
        return new MethodModel(
            method.ContainingType.ToDisplayString(TypeFormat),
            method.Name,
            wireName,
            returns!.Value,
            result,
            method.ReturnType.ToDisplayString(TypeFormat),
            request?.Type.ToDisplayString(TypeFormat),
            request?.Name,
            token?.Name);
    }

    private static (string Reason, Location? Location)? ParameterProblem(
        ImmutableArray<IParameterSymbol> parameters, ImmutableArray<IParameterSymbol> requests)
    {
        foreach (var parameter in parameters)
        {
            if (parameter.RefKind != RefKind.None || parameter.IsParams)
                return ($"parameter '{parameter.Name}' is ref, in, out or params", parameter.Locations.FirstOrDefault());
        }

        var misplaced = requests.FirstOrDefault(p => IsCancellationToken(p.Type));
        if (misplaced is not null)
            return ($"CancellationToken '{misplaced.Name}' is not the last parameter", misplaced.Locations.FirstOrDefault());
        if (requests.Length > 1)
            return ($"it has {requests.Length} request parameters", requests[1].Locations.FirstOrDefault());
        return null;
    }

    private static ReturnShape? Shape(ITypeSymbol type)
    {
        if (type is not INamedTypeSymbol named || named.ContainingNamespace?.ToDisplayString() != "System.Threading.Tasks")
            return null;
        return named.MetadataName switch
        {
            "Task" => ReturnShape.Task,
            "Task`1" => ReturnShape.TaskOfResult,
            "ValueTask" => ReturnShape.ValueTask,
            "ValueTask`1" => ReturnShape.ValueTaskOfResult,
            _ => null,
        };
    }

    private static bool IsCancellationToken(ITypeSymbol type) =>
        type is INamedTypeSymbol { MetadataName: "CancellationToken" } named
        && named.ContainingNamespace?.ToDisplayString() == "System.Threading";

    private static bool IsGeneric(INamedTypeSymbol type)
    {
        for (var current = type; current is not null; current = current.ContainingType)
        {
            if (current.IsGenericType)
                return true;
        }

        return false;
    }

    private static bool IsAccessibleInAssembly(INamedTypeSymbol type)
    {
        for (var current = type; current is not null; current = current.ContainingType)
        {
            if (current.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
                return false;
        }

        return true;
    }

    /// <summary><c>IUserService</c> gives <c>UserService</c>; a nested one is prefixed by its containers.</summary>
    private static string TypeStem(INamedTypeSymbol type)
    {
        var name = type.Name.Length > 1 && type.Name[0] == 'I' && char.IsUpper(type.Name[1]) ? type.Name.Substring(1) : type.Name;
        for (var container = type.ContainingType; container is not null; container = container.ContainingType)
            name = container.Name + name;
        return name;
    }

    private static string HintName(INamedTypeSymbol type) =>
        type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", string.Empty) + ".BroContract.g.cs";

    private static Location? AttributeLocation(AttributeData attribute, Location? fallback) =>
        attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? fallback;

    private static ContractResult Result(ContractModel? contract, List<DiagnosticInfo> diagnostics) =>
        new(contract, new EquatableArray<DiagnosticInfo>(diagnostics.ToImmutableArray()));
}
