using System.Reflection;
using System.Runtime.CompilerServices;
using Bro.Hosting;
using PublicApiGenerator;
using Xunit;

namespace Bro.Client.Tests.PublicApi;

/// <summary>
/// The public surface of each shipped library, approved in a file beside this spec: anything public
/// is a promise to every user, so a change to it shows in review as a diff of that file. When the
/// surface changes on purpose, the spec writes <c>{Assembly}.received.txt</c> beside the approved
/// file: review it, and replace the approved file with it.
/// </summary>
public sealed class PublicApiSpec
{
    [Fact]
    public void The_public_API_of_Bro_Actors_is_the_approved_one() => AssertApproved(typeof(BroGateway).Assembly);

    [Fact]
    public void The_public_API_of_Bro_Client_is_the_approved_one() => AssertApproved(typeof(BroClient).Assembly);

    private static void AssertApproved(Assembly assembly, [CallerFilePath] string spec = "")
    {
        var name = assembly.GetName().Name!;
        var directory = Path.GetDirectoryName(spec)!;
        var approvedFile = Path.Combine(directory, $"{name}.approved.txt");
        var receivedFile = Path.Combine(directory, $"{name}.received.txt");
        var api = assembly.GeneratePublicApi(new ApiGeneratorOptions { IncludeAssemblyAttributes = false }).ReplaceLineEndings("\n");
        var approved = File.Exists(approvedFile) ? File.ReadAllText(approvedFile).ReplaceLineEndings("\n") : null;
        if (api == approved)
        {
            File.Delete(receivedFile);
            return;
        }

        File.WriteAllText(receivedFile, api);
        Assert.Fail($"The public API of {name} differs from {approvedFile}; the API now is in {receivedFile}: " +
                    "review the difference, and if it is meant, make it the approved file.");
    }
}
