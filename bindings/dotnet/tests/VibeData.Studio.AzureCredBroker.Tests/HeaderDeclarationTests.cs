using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using NUnit.Framework;
using VibeData.Studio.AzureCredBroker.Interop;
using VibeData.Studio.AzureCredBroker.Tests.Support;

namespace VibeData.Studio.AzureCredBroker.Tests
{
    /// <summary>
    /// Every [DllImport] against the prototype in <c>include/vd_broker.h</c>:
    /// same function, same number of parameters, a .NET type that marshals as
    /// the C type. A header change the binding has not followed fails here
    /// instead of corrupting memory in a user's process.
    /// </summary>
    [TestFixture]
    public class HeaderDeclarationTests
    {
        // C type (const and struct dropped) → the .NET types that marshal as it.
        private static readonly Dictionary<string, Type[]> Marshals = new Dictionary<string, Type[]>
        {
            ["void"] = new[] { typeof(void) },
            ["bool"] = new[] { typeof(bool) },
            ["int32_t"] = new[] { typeof(int) },
            ["int64_t"] = new[] { typeof(long) },
            ["uint64_t"] = new[] { typeof(ulong) },
            ["size_t"] = new[] { typeof(UIntPtr) },
            ["char *"] = new[] { typeof(byte[]), typeof(IntPtr) },
            ["uint8_t *"] = new[] { typeof(byte[]) },
            ["void *"] = new[] { typeof(byte[]) },
            ["size_t *"] = new[] { typeof(UIntPtr).MakeByRefType() },
            ["int64_t *"] = new[] { typeof(long).MakeByRefType() },
            ["uint16_t *"] = new[] { typeof(ushort).MakeByRefType() },
            ["vd_broker_options *"] = new[] { typeof(OptionsHandle), typeof(IntPtr) },
            ["vd_broker_client *"] = new[] { typeof(ClientHandle), typeof(IntPtr) },
            ["vd_broker_client **"] = new[] { typeof(ClientHandle).MakeByRefType() },
        };

        [Test]
        public void EveryDeclarationMatchesItsPrototype()
        {
            var prototypes = HeaderPrototypes();
            var imports = typeof(NativeMethods).GetMethods(BindingFlags.Static | BindingFlags.NonPublic)
                .Where(m => m.GetCustomAttributes(typeof(DllImportAttribute), false).Length > 0)
                .ToList();
            Assert.That(imports, Is.Not.Empty);

            foreach (var import in imports)
            {
                var attribute = (DllImportAttribute)import.GetCustomAttributes(typeof(DllImportAttribute), false)[0];
                Assert.That(attribute.CallingConvention, Is.EqualTo(CallingConvention.Cdecl), import.Name);
                Assert.That(prototypes.ContainsKey(import.Name), Is.True, $"{import.Name} is not in the header");
                var prototype = prototypes[import.Name];
                var parameters = import.GetParameters();

                Assert.That(Marshals[prototype[0]], Has.Member(import.ReturnType), $"{import.Name} returns {prototype[0]}");
                Assert.That(parameters.Length, Is.EqualTo(prototype.Count - 1), $"{import.Name} parameter count");
                for (var i = 0; i < parameters.Length; i++)
                {
                    var c = prototype[i + 1];
                    var where = $"{import.Name} parameter {i + 1} ({c})";
                    Assert.That(Marshals[c], Has.Member(parameters[i].ParameterType), where);
                    if (c == "bool")
                    {
                        var marshalAs = (MarshalAsAttribute)parameters[i].GetCustomAttributes(typeof(MarshalAsAttribute), false).Single();
                        Assert.That(marshalAs.Value, Is.EqualTo(UnmanagedType.U1), where + ": C bool is one byte");
                    }
                }
            }
        }

        [Test]
        public void BufferSizeIsTheHeaders()
        {
            var header = File.ReadAllText(RepositoryPaths.Header);
            var size = Regex.Match(header, @"#define VD_BROKER_TOKEN_BUFFER_SIZE (\d+)").Groups[1].Value;
            Assert.That(NativeMethods.TokenBufferSize.ToString(), Is.EqualTo(size));
        }

        /// <summary>Function name → [return type, parameter types...], as normalised C types.</summary>
        private static Dictionary<string, List<string>> HeaderPrototypes()
        {
            var header = File.ReadAllText(RepositoryPaths.Header);
            var prototypes = new Dictionary<string, List<string>>();
            var pattern = new Regex(@"^(?<ret>[a-z_0-9 ]+?\**)\s*(?<name>vd_broker_\w+)\((?<params>[^)]*)\);", RegexOptions.Multiline);
            foreach (Match match in pattern.Matches(header))
            {
                var types = new List<string> { Normalise(match.Groups["ret"].Value) };
                var list = match.Groups["params"].Value.Trim();
                if (list != "void")
                {
                    // Each parameter without its name: "const char *scope" → "char *".
                    types.AddRange(list.Split(',').Select(p => Normalise(Regex.Replace(p.Trim(), @"\w+$", string.Empty))));
                }
                prototypes[match.Groups["name"].Value] = types;
            }
            Assert.That(prototypes, Is.Not.Empty, "no prototypes found in the header");
            return prototypes;
        }

        private static string Normalise(string cType)
        {
            var words = Regex.Replace(cType, @"\b(const|struct)\b", " ");
            words = Regex.Replace(words, @"\s+", " ").Trim();
            return Regex.Replace(words, @"\s*(\*+)$", " $1");
        }
    }
}
