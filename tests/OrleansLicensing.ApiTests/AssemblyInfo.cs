[assembly: AssemblyFixture(typeof(OrleansLicensing.ApiTests.SharedApp))]
