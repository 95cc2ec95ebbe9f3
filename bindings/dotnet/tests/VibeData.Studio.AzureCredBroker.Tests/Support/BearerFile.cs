using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace VibeData.Studio.AzureCredBroker.Tests.Support
{
    /// <summary>
    /// A Studio credential file with a bearer of its own. The token cache is
    /// process-wide and keyed by the bearer, so a fresh bearer per test keeps
    /// tests from sharing tokens; the emulator's log tells them apart by its
    /// SHA-256.
    /// </summary>
    internal sealed class BearerFile : IDisposable
    {
        private readonly string _directory;

        private BearerFile(string directory)
        {
            _directory = directory;
            Path = System.IO.Path.Combine(directory, "credential");
        }

        internal string Path { get; }

        /// <summary>Hex SHA-256 of the bearer as the broker receives it (whitespace stripped).</summary>
        internal string Sha256 { get; private set; }

        /// <summary>The emulator's <c>vd_bearer</c> claim for this bearer.</summary>
        internal string Claim => Sha256.Substring(0, 16);

        internal static string NewBearer()
        {
            return "vd_iat_" + Guid.NewGuid().ToString("N");
        }

        internal static BearerFile Create()
        {
            var file = new BearerFile(TempDirectory.Create("bearer"));
            file.Write(NewBearer());
            return file;
        }

        /// <summary>Replaces the file's contents, as the Studio backend does when it rotates the bearer.</summary>
        internal void Write(string contents)
        {
            File.WriteAllText(Path, contents, new UTF8Encoding(false));
            using (var sha = SHA256.Create())
            {
                var digest = sha.ComputeHash(Encoding.UTF8.GetBytes(contents.Trim()));
                Sha256 = BitConverter.ToString(digest).Replace("-", string.Empty).ToLowerInvariant();
            }
        }

        public void Dispose()
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
