// Turns assemblies that Mono's mcs compiled against Mono's own mscorlib
// into netstandard2.0 assemblies, the way a dotnet SDK build references the
// framework: every framework type is referenced from [netstandard] (and
// ValueTask and its helpers from [System.Threading.Tasks.Extensions], as in
// netstandard2.0 where they come from that package), so that every .NET
// implementation resolves them. Mono's mcs cannot compile against a
// netstandard reference assembly (Debian ships none, and the CoreCLR shared
// framework's netstandard.dll only forwards to CoreCLR's own assemblies), so
// the references are rewritten after compiling, with Mono.Cecil.
//
//   mono Retarget.exe NETSTANDARD_DLL FACADE_DIR ASSEMBLY...
//
// NETSTANDARD_DLL: a netstandard.dll whose types (defined or forwarded) are
// the ones a reference may name (an unknown type fails the build), and whose
// public key the references carry. CoreCLR 3.1's is netstandard 2.1, a
// superset of 2.0: a type new in 2.1 (Span, IAsyncEnumerable) would pass
// this check, and then fail on .NET Framework only.
// FACADE_DIR: where to write netstandard.dll and
// System.Threading.Tasks.Extensions.dll for Mono, which (as Debian packages
// it) has no such facades: they forward each netstandard type that Mono has
// to the Mono assembly that defines it, so that Mono runs the retargeted
// assemblies and mcs compiles against them. Test-only, never shipped.
// Each ASSEMBLY is rewritten in place.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Mono.Cecil;

namespace VibeData.Studio.Build
{
    internal static class Retarget
    {
        private const string TasksExtensions = "System.Threading.Tasks.Extensions";

        // Types that netstandard2.0 does not hold: its users take them from
        // the System.Threading.Tasks.Extensions package (4.5.4 is version
        // 4.2.0.1), which Azure.Core's netstandard2.0 build depends on.
        private static readonly HashSet<string> FromTasksExtensions = new HashSet<string>
        {
            "System.Threading.Tasks.ValueTask",
            "System.Threading.Tasks.ValueTask`1",
            "System.Runtime.CompilerServices.AsyncValueTaskMethodBuilder",
            "System.Runtime.CompilerServices.AsyncValueTaskMethodBuilder`1",
            "System.Runtime.CompilerServices.ValueTaskAwaiter",
            "System.Runtime.CompilerServices.ValueTaskAwaiter`1",
            "System.Runtime.CompilerServices.ConfiguredValueTaskAwaitable",
            "System.Runtime.CompilerServices.ConfiguredValueTaskAwaitable`1",
        };

        // Mono's framework assemblies are signed with the ECMA and Microsoft keys.
        private static readonly HashSet<string> FrameworkTokens = new HashSet<string> { "b77a5c561934e089", "b03f5f7f11d50a3a" };

        private static int Main(string[] args)
        {
            if (args.Length < 3)
            {
                Console.Error.WriteLine("usage: Retarget.exe NETSTANDARD_DLL FACADE_DIR ASSEMBLY...");
                return 2;
            }
            var reference = AssemblyDefinition.ReadAssembly(args[0]);
            var known = new HashSet<string>(reference.MainModule.Types.Select(t => t.FullName)
                .Concat(reference.MainModule.ExportedTypes.Select(t => t.FullName)));
            var netstandard = new AssemblyNameReference("netstandard", new Version(2, 0, 0, 0))
            {
                PublicKeyToken = reference.Name.PublicKeyToken,
            };
            var extensions = new AssemblyNameReference(TasksExtensions, new Version(4, 2, 0, 1))
            {
                PublicKeyToken = reference.Name.PublicKeyToken,
            };
            var failed = false;
            foreach (var path in args.Skip(2))
            {
                failed |= !Rewrite(path, args[0], known, netstandard, extensions);
            }
            if (failed)
            {
                return 1;
            }
            var origins = MonoOrigins(known);
            WriteFacade(Path.Combine(args[1], "netstandard.dll"), netstandard, reference.Name.PublicKey,
                origins.Where(o => !FromTasksExtensions.Contains(o.Key)));
            WriteFacade(Path.Combine(args[1], TasksExtensions + ".dll"), extensions, reference.Name.PublicKey,
                origins.Where(o => FromTasksExtensions.Contains(o.Key)));
            return 0;
        }

        // Each netstandard type that Mono has -> the Mono assembly that defines
        // it (mscorlib first, then the others of its framework directory).
        private static SortedDictionary<string, AssemblyNameReference> MonoOrigins(HashSet<string> known)
        {
            var origins = new SortedDictionary<string, AssemblyNameReference>(StringComparer.Ordinal);
            var mscorlib = typeof(object).Assembly.Location;
            var framework = Directory.GetFiles(Path.GetDirectoryName(mscorlib), "*.dll").Where(f => f != mscorlib).OrderBy(f => f, StringComparer.Ordinal);
            foreach (var file in new[] { mscorlib }.Concat(framework))
            {
                var assembly = AssemblyDefinition.ReadAssembly(file);
                if (!IsFramework(assembly.Name))
                {
                    continue;
                }
                foreach (var type in assembly.MainModule.Types.Where(t => t.IsPublic && known.Contains(t.FullName) && !origins.ContainsKey(t.FullName)))
                {
                    origins[type.FullName] = AssemblyNameReference.Parse(assembly.FullName);
                }
            }
            return origins;
        }

        private static bool Rewrite(string path, string reference, HashSet<string> known, AssemblyNameReference netstandard,
            AssemblyNameReference extensions)
        {
            var resolver = new DefaultAssemblyResolver();
            resolver.AddSearchDirectory(Path.GetDirectoryName(Path.GetFullPath(path)));
            // Writing an enum in an attribute resolves its type, then from netstandard.
            resolver.AddSearchDirectory(Path.GetDirectoryName(Path.GetFullPath(reference)));
            // Read from memory: the file is written over at the end.
            var assembly = AssemblyDefinition.ReadAssembly(new MemoryStream(File.ReadAllBytes(path)),
                new ReaderParameters(ReadingMode.Immediate) { AssemblyResolver = resolver });
            var module = assembly.MainModule;
            var ok = true;
            foreach (var type in module.GetTypeReferences().Where(t => t.DeclaringType == null))
            {
                var scope = type.Scope as AssemblyNameReference;
                if (scope == null || !IsFramework(scope))
                {
                    continue;
                }
                if (!known.Contains(type.FullName))
                {
                    Console.Error.WriteLine("{0}: {1} (from {2}) is not a netstandard type: use one that is", Path.GetFileName(path), type.FullName, scope.Name);
                    ok = false;
                    continue;
                }
                var target = FromTasksExtensions.Contains(type.FullName) ? extensions : netstandard;
                type.Scope = Reference(module, target);
            }
            foreach (var old in module.AssemblyReferences.Where(IsFramework).ToList())
            {
                module.AssemblyReferences.Remove(old);
            }
            if (ok)
            {
                assembly.Write(path);
            }
            return ok;
        }

        private static bool IsFramework(AssemblyNameReference name)
        {
            var token = name.PublicKeyToken;
            return token != null && token.Length == 8 && FrameworkTokens.Contains(BitConverter.ToString(token).Replace("-", "").ToLowerInvariant());
        }

        // The module's reference to target, added once.
        private static AssemblyNameReference Reference(ModuleDefinition module, AssemblyNameReference target)
        {
            var existing = module.AssemblyReferences.FirstOrDefault(r => r.Name == target.Name);
            if (existing != null)
            {
                return existing;
            }
            var added = new AssemblyNameReference(target.Name, target.Version) { PublicKeyToken = target.PublicKeyToken };
            module.AssemblyReferences.Add(added);
            return added;
        }

        private static void WriteFacade(string path, AssemblyNameReference name, byte[] publicKey,
            IEnumerable<KeyValuePair<string, AssemblyNameReference>> types)
        {
            var identity = new AssemblyNameDefinition(name.Name, name.Version) { PublicKey = publicKey };
            var facade = AssemblyDefinition.CreateAssembly(identity, name.Name + ".dll", ModuleKind.Dll);
            var module = facade.MainModule;
            foreach (var type in types)
            {
                var scope = Reference(module, type.Value);
                var dot = type.Key.LastIndexOf('.');
                var forwarded = new ExportedType(type.Key.Substring(0, dot), type.Key.Substring(dot + 1), module, scope)
                {
                    Attributes = TypeAttributes.Forwarder,
                };
                module.ExportedTypes.Add(forwarded);
            }
            facade.Write(path);
        }
    }
}
