using System.Diagnostics;
using System.Reflection;
using Xunit;

namespace Bro.Gateway.Tests.Packaging;

/// <summary>
/// The <c>bro</c> tool as a user gets it: src/Bro.Gateway packed into a temporary folder and
/// installed from there with <c>dotnet tool install</c>, once for all the specs that use it.
/// </summary>
public sealed class InstalledBroTool : IAsyncLifetime
{
    private const string PackageId = "Bro.Gateway";

    // Generous: a pack and an install on a loaded 2-core machine take tens of seconds; a limit is
    // only there so that a hung process fails the spec instead of the whole run.
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    private readonly string _directory = Directory.CreateTempSubdirectory("bro-tool-").FullName;

    /// <summary>The installed command, <c>bro</c> in the tool path.</summary>
    public string Command => Path.Combine(_directory, "tools", "bro");

    /// <summary>The version of the package that was installed, as its file name gives it.</summary>
    public string Version { get; private set; } = "";

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var packages = Path.Combine(_directory, "packages");

        // Packs what the test build already built (this configuration, --no-build), so the spec
        // costs a pack rather than a build; publish output and nuspec go to the temporary folder,
        // not into src/Bro.Gateway.
        await RunAsync("dotnet", "pack", Path.Combine(RepositoryRoot(), "src", "Bro.Gateway", "Bro.Gateway.csproj"),
            "--no-build", "--configuration", BuildConfiguration(), "--output", packages,
            "-p:PublishDir=" + Path.Combine(_directory, "publish") + "/",
            "-p:NuspecOutputPath=" + Path.Combine(_directory, "nuspec") + "/");

        var package = Path.GetFileNameWithoutExtension(Assert.Single(Directory.GetFiles(packages, PackageId + ".*.nupkg")));
        Version = package[(PackageId.Length + 1)..];

        // A nuget.config with no source but the folder: the install never reaches nuget.org, so it
        // works offline and can only install the package just packed.
        var config = Path.Combine(_directory, "nuget.config");
        await File.WriteAllTextAsync(config, "<configuration><packageSources><clear /></packageSources></configuration>");
        await RunAsync("dotnet", "tool", "install", PackageId, "--tool-path", Path.Combine(_directory, "tools"),
            "--add-source", packages, "--configfile", config);
    }

    /// <inheritdoc />
    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Runs <paramref name="file"/> and returns its stdout; a non-zero exit code fails with all it wrote.</summary>
    public static async Task<string> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["DOTNET_NOLOGO"] = "1",
                ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
                ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
            },
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(Limit);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }

        var output = await stdout;
        Assert.True(process.ExitCode == 0,
            $"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{output}\n{await stderr}");
        return output;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "src", "Bro.Gateway", "Bro.Gateway.csproj")))
                return directory.FullName;
        }

        throw new InvalidOperationException($"No repository above {AppContext.BaseDirectory}: the spec packs src/Bro.Gateway from it.");
    }

    // The configuration these tests were built in, and with them Bro.Gateway, which --no-build packs.
    private static string BuildConfiguration() =>
        typeof(InstalledBroTool).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
}
