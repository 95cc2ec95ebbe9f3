// The stand-in carries the real Azure.Core 1.44.1's identity, so that what the
// binding is compiled against is what it references in the package:
// Azure.Core, Version=1.44.1.0, Culture=neutral, PublicKeyToken=92742159e12e44c8.
// The Azure SDK sets each assembly's version to its package's version; the
// public key (azure-sdk-public-key.hex beside this file, the key whose token is
// 92742159e12e44c8, as Azure SDK assemblies name it in their
// InternalsVisibleTo) is given to mcs by build-and-test.sh, which delay-signs
// the stand-in with it (no private key: there is no signature).
using System.Reflection;

[assembly: AssemblyVersion("1.44.1.0")]
