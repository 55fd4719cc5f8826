namespace Bro.Client.Generators.Internal;

/// <summary>
/// The parse of one [BroService] declaration: its errors and, when there are none, the contract
/// to emit (code for a contract with errors would not compile, or would call the wrong method).
/// </summary>
internal sealed record ContractResult(ContractModel? Contract, EquatableArray<DiagnosticInfo> Diagnostics);
