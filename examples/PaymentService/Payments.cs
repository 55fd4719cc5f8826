using System.Collections.Concurrent;
using Bro.Protocol;

namespace Bro.Examples.PaymentService;

/// <summary>The parameters of <c>processPayment</c>.</summary>
public sealed record PaymentRequest(int OrderId, decimal Amount, string Currency);

/// <summary>The parameters of <c>refundPayment</c>.</summary>
public sealed record RefundRequest(string TransactionId);

/// <summary>What both methods answer.</summary>
public sealed record Payment(string TransactionId, int OrderId, decimal Amount, string Currency, string Status);

/// <summary>
/// The payments this service made. Handlers run concurrently (up to
/// <c>MaxConcurrentHandlers</c> at once), so the state is a concurrent dictionary.
/// </summary>
public sealed class Payments
{
    /// <summary>Above this a payment needs a human: it is declined.</summary>
    public const decimal Limit = 1_000m;

    private readonly ConcurrentDictionary<string, Payment> _made = new();
    private int _lastId;

    /// <summary>Approves a payment up to <see cref="Limit"/>; others fail with a code the caller can act on.</summary>
    public Payment Process(PaymentRequest request)
    {
        if (request.Amount <= 0)
            throw new BroException("INVALID_AMOUNT", $"Amount must be positive, was {request.Amount}");
        if (request.Amount > Limit)
            throw new BroException("PAYMENT_DECLINED", $"{request.Amount} {request.Currency} is over the limit of {Limit}");

        var id = $"txn-{Interlocked.Increment(ref _lastId):D4}";
        return _made[id] = new Payment(id, request.OrderId, request.Amount, request.Currency, "approved");
    }

    /// <summary>Refunds a payment once; an unknown or refunded one fails.</summary>
    public Payment Refund(RefundRequest request)
    {
        if (!_made.TryGetValue(request.TransactionId, out var payment))
            throw new BroException("TRANSACTION_NOT_FOUND", $"Transaction {request.TransactionId} not found");
        var refunded = payment with { Status = "refunded" };
        // Swapped only if still approved: of two concurrent refunds, one wins.
        return payment.Status == "approved" && _made.TryUpdate(request.TransactionId, refunded, payment)
            ? refunded
            : throw new BroException("ALREADY_REFUNDED", $"Transaction {request.TransactionId} was already refunded");
    }
}
