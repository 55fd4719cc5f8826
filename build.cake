///////////////////////////////////////////////////////////////////////////////
// ARGUMENTS
///////////////////////////////////////////////////////////////////////////////

var target = Argument<string>("target", "Default");
var configuration = Argument<string>("configuration", "Release");
var benchQuick = HasArgument("quick");

//////////////////////////////////////////////////////////////////////
// GLOBALS
//////////////////////////////////////////////////////////////////////

var solution = File("./Bro.sln");
var artifactsDir = Directory("./artifacts");
var testResultsDir = artifactsDir + Directory("test-results");
var packagesDir = artifactsDir + Directory("packages");
var benchResults = artifactsDir + File("bench.json");

///////////////////////////////////////////////////////////////////////////////
// SETUP / TEARDOWN
///////////////////////////////////////////////////////////////////////////////

Setup(context =>
{
    Information("Building Bro ({0}), target {1}", configuration, target);
});

Teardown(context =>
{
    Information("Finished running tasks.");
});

//////////////////////////////////////////////////////////////////////
// PRIVATE TASKS
//////////////////////////////////////////////////////////////////////

Task("__Clean")
    .Does(() =>
{
    CleanDirectories(new[] { artifactsDir.Path });
    CleanDirectories("./src/**/bin/" + configuration);
    CleanDirectories("./src/**/obj");
    CleanDirectories("./tests/**/bin/" + configuration);
    CleanDirectories("./tests/**/obj");
    CleanDirectories("./examples/**/bin/" + configuration);
    CleanDirectories("./examples/**/obj");
});

Task("__Restore")
    .Does(() =>
{
    DotNetRestore(solution);
});

Task("__Build")
    .Does(() =>
{
    DotNetBuild(solution, new DotNetBuildSettings
    {
        Configuration = configuration,
        NoRestore = true,
    });
});

Task("__Test")
    .Does(() =>
{
    DotNetTest(solution, new DotNetTestSettings
    {
        Configuration = configuration,
        NoBuild = true,
        NoRestore = true,
        ResultsDirectory = testResultsDir,
        Loggers = new[] { "trx" },
    });
});

Task("__Pack")
    .Does(() =>
{
    // The solution, not a list of projects: IsPackable (src/Directory.Build.props) is the one
    // place that says what is a package (Bro.Actors, Bro.Client, the bro tool Bro.Gateway).
    // The folder is emptied first so it holds this version's packages only.
    CleanDirectory(packagesDir);
    DotNetPack(solution, new DotNetPackSettings
    {
        Configuration = configuration,
        NoBuild = true,
        NoRestore = true,
        OutputDirectory = packagesDir,
    });
});

Task("__Bench")
    .Does(() =>
{
    // Runs the bench in Release whatever --configuration says: the figures mean nothing otherwise.
    EnsureDirectoryExists(artifactsDir);
    var arguments = "--driver all --json " + MakeAbsolute(benchResults).FullPath + (benchQuick ? " --quick" : "");
    DotNetRun("./bench/Bro.Bench/Bro.Bench.csproj", arguments, new DotNetRunSettings
    {
        Configuration = "Release",
    });
});

//////////////////////////////////////////////////////////////////////
// BUILD TASKS
//////////////////////////////////////////////////////////////////////

Task("Clean")
    .IsDependentOn("__Clean");

Task("Build")
    .IsDependentOn("__Restore")
    .IsDependentOn("__Build");

Task("Test")
    .IsDependentOn("Build")
    .IsDependentOn("__Test");

Task("Pack")
    .IsDependentOn("Build")
    .IsDependentOn("__Pack");

Task("Bench")
    .IsDependentOn("__Restore")
    .IsDependentOn("__Bench");

Task("Default")
    .IsDependentOn("Test");

///////////////////////////////////////////////////////////////////////////////
// EXECUTION
///////////////////////////////////////////////////////////////////////////////

RunTarget(target);
