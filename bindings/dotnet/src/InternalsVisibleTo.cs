using System.Runtime.CompilerServices;

// The tests drive the interop layer directly to prove every status code maps.
[assembly: InternalsVisibleTo("VibeData.Studio.AzureCredBroker.Tests")]
