// One in-process network for every contract test file (and the gas benchmark): modules are cached,
// so each importer shares it, and `loadFixture` snapshots make fixtures cheap to reuse across files.
import { network } from "hardhat";

export const connection = await network.create();
export const { ethers, ignition, networkHelpers } = connection;
export const { loadFixture, time } = networkHelpers;
