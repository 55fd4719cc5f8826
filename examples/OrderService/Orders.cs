namespace Bro.Examples.OrderService;

/// <summary>The parameters of <c>createOrder</c>.</summary>
public sealed record CreateOrder(int UserId, string[] Items, decimal Total);

/// <summary>What <c>createOrder</c> answers.</summary>
public sealed record Order(int OrderId, string Customer, int Items, decimal Total, string TransactionId);

/// <summary>The parameters of <c>getUserById</c>.</summary>
public sealed record GetUserById(int Id);

/// <summary>What <c>getUserById</c> answers (only the fields this service reads).</summary>
public sealed record User(int Id, string Name);

/// <summary>The parameters of <c>processPayment</c>.</summary>
public sealed record PaymentRequest(int OrderId, decimal Amount, string Currency);

/// <summary>What <c>processPayment</c> answers (only the fields this service reads).</summary>
public sealed record Payment(string TransactionId, string Status);
