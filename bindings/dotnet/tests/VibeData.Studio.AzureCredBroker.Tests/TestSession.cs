using System.IO;
using NUnit.Framework;
using VibeData.Studio.AzureCredBroker.Tests.Support;

namespace VibeData.Studio.AzureCredBroker.Tests
{
    /// <summary>
    /// Once per run: an environment with none of the library's variables (so
    /// no test depends on the machine's), and one broker emulator serving the
    /// broker on loopback and the runtime-access helper on a Unix socket.
    /// </summary>
    [SetUpFixture]
    public class TestSession
    {
        private static readonly string[] LibraryVariables =
        {
            "VD_CREDENTIAL_BROKER_URL", "VD_AZ_TOKEN_URL", "VD_CREDENTIAL_FILE", "VD_CREDENTIAL_LANE",
            "VD_CREDENTIAL_CONFIGURATION_REVISION", "VD_BROKER_CACHE",
        };

        private static string _directory;

        internal static Emulator Emulator { get; private set; }

        /// <summary>A socket path that does not exist: tests go to the broker unless they ask for the helper.</summary>
        internal static string NoHelperSocket { get; private set; }

#if NUNIT3
        [OneTimeSetUp]
#else
        [SetUp]
#endif
        public void Start()
        {
            _directory = TempDirectory.Create("session");
            NoHelperSocket = Path.Combine(_directory, "no-helper.sock");
            foreach (var name in LibraryVariables)
            {
                NativeEnvironment.Apply(name, null);
            }
            NativeEnvironment.Apply("VD_RUNTIME_ACCESS_SOCKET", NoHelperSocket);
            Emulator = Emulator.Start(RepositoryPaths.Emulator, Path.Combine(_directory, "helper.sock"));
        }

#if NUNIT3
        [OneTimeTearDown]
#else
        [TearDown]
#endif
        public void Stop()
        {
            Emulator?.Dispose();
            Directory.Delete(_directory, recursive: true);
        }
    }
}
