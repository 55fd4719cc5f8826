namespace Bro.Examples.RetryWithBackoff;

/// <summary>The parameters of <c>getRate</c>.</summary>
public sealed record RateRequest(string From, string To);

/// <summary>What <c>getRate</c> answers.</summary>
public sealed record Rate(string From, string To, decimal Value);

/// <summary>The parameters of <c>getStock</c>.</summary>
public sealed record StockRequest(string Sku);

/// <summary>What <c>getStock</c> answers.</summary>
public sealed record Stock(string Sku, int Available);
