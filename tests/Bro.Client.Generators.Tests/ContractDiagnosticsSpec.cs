using Bro.Client.Generators.Tests.Support;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace Bro.Client.Generators.Tests;

/// <summary>
/// Each contract that cannot work is a compiler error with its id at the declaration at fault
/// (markup <c>{|BROnnn:span|}</c>), and no code is generated for it.
/// </summary>
public sealed class ContractDiagnosticsSpec
{
    private const string Usings = """
        using System.Threading;
        using System.Threading.Tasks;
        using Bro.Client.Contracts;

        public sealed record Request(string Id);

        """;

    [Fact]
    public Task BRO001_BroService_on_a_class_is_reported_at_the_class() => Verify("""
        [{|CS0592:BroService|}("users")]
        public class {|BRO001:Users|}
        {
        }
        """);

    [Fact]
    public Task BRO002_a_generic_contract_is_reported_at_the_interface() => Verify("""
        [BroService("users")]
        public interface {|BRO002:IRepository|}<T>
        {
            Task<T> GetAsync(Request request);
        }
        """);

    [Fact]
    public Task BRO002_a_contract_nested_in_a_generic_type_is_reported_at_the_interface() => Verify("""
        public static class Outer<T>
        {
            [BroService("users")]
            public interface {|BRO002:IUsers|}
            {
                Task PingAsync();
            }
        }
        """);

    [Fact]
    public Task BRO003_an_empty_service_name_is_reported_at_the_attribute() => Verify("""
        [{|BRO003:BroService("")|}]
        public interface IUsers
        {
            Task PingAsync();
        }
        """);

    [Fact]
    public Task BRO004_a_method_not_returning_a_task_is_reported_at_the_method() => Verify("""
        [BroService("users")]
        public interface IUsers
        {
            string {|BRO004:GetName|}(Request request);
        }
        """);

    [Fact]
    public Task BRO005_two_request_parameters_are_reported_at_the_second() => Verify("""
        [BroService("users")]
        public interface IUsers
        {
            Task<string> RenameAsync(Request request, string {|BRO005:name|}, CancellationToken ct = default);
        }
        """);

    [Fact]
    public Task BRO005_a_token_before_the_request_is_reported_at_the_token() => Verify("""
        [BroService("users")]
        public interface IUsers
        {
            Task<string> GetAsync(CancellationToken {|BRO005:ct|}, Request request);
        }
        """);

    [Fact]
    public Task BRO005_a_ref_parameter_is_reported_at_the_parameter() => Verify("""
        [BroService("users")]
        public interface IUsers
        {
            Task GetAsync(ref Request {|BRO005:request|});
        }
        """);

    [Fact]
    public Task BRO006_overloads_sharing_a_remote_name_are_reported_at_the_second() => Verify("""
        [BroService("users")]
        public interface IUsers
        {
            Task<string> GetAsync(Request request);

            Task<string> {|BRO006:Get|}(string id);
        }
        """);

    [Fact]
    public Task BRO006_a_BroMethod_name_taken_by_another_method_is_reported() => Verify("""
        [BroService("users")]
        public interface IUsers
        {
            Task<string> FindAsync(Request request);

            [BroMethod("find")]
            Task<string> {|BRO006:LookUpAsync|}(Request request);
        }
        """);

    [Fact]
    public Task BRO007_an_empty_method_name_is_reported_at_the_attribute() => Verify("""
        [BroService("users")]
        public interface IUsers
        {
            [{|BRO007:BroMethod(" ")|}]
            Task PingAsync();
        }
        """);

    [Fact]
    public Task BRO008_a_property_and_a_generic_method_are_reported() => Verify("""
        [BroService("users")]
        public interface IUsers
        {
            string {|BRO008:Name|} { get; }

            Task<T> {|BRO008:GetAsync|}<T>(Request request);
        }
        """);

    [Fact]
    public Task BRO009_a_private_nested_contract_is_reported_at_the_interface() => Verify("""
        public class Outer
        {
            [BroService("users")]
            private interface {|BRO009:IUsers|}
            {
                Task PingAsync();
            }
        }
        """);

    [Fact]
    public Task Members_with_a_body_and_static_members_are_not_remote_methods() => new ContractGeneratorTest
    {
        TestState = { Sources = { Usings + """
            [BroService("users")]
            public interface IUsers
            {
                Task PingAsync();

                string Describe() => "users";

                static string Kind => "service";
            }
            """ } },
        TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck,
    }.RunAsync();

    private static Task Verify(string contract) =>
        new ContractGeneratorTest { TestState = { Sources = { Usings + contract } } }.RunAsync();
}
