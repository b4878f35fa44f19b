// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {GreenCertificates} from "../../../contracts/GreenCertificates.sol";
import {IGreenCertificates} from "../../../contracts/interfaces/IGreenCertificates.sol";
import {Assertions, bound} from "./utils/Assertions.sol";
import {vm} from "./utils/Vm.sol";

/// @notice A device is never certified for more than its capacity × hours, nor twice for any moment.
contract CertificateIssuanceTest is Assertions {
    uint40 internal constant START = 1_700_000_000;
    uint256 internal constant NOW = 1_760_000_000;
    address internal owner = address(0xD0);
    GreenCertificates internal certificates;

    function setUp() public {
        vm.warp(NOW);
        certificates = new GreenCertificates(address(this), address(this), "");
    }

    function _device(uint64 capacityW) internal returns (uint256 deviceId) {
        vm.prank(owner);
        deviceId = certificates.registerDevice(uint8(IGreenCertificates.EnergySource.Wind), 4, capacityW, START, "");
        certificates.approveDevice(deviceId);
    }

    /// @notice Issuance succeeds exactly when wh ≤ capacity × seconds / 3600.
    function testFuzz_issueAcceptsExactlyUpToCapacityTimesHours(uint64 capacityW, uint32 seconds_, uint64 wh) public {
        capacityW = uint64(bound(capacityW, 1, 1e12));
        uint40 end = START + uint40(bound(seconds_, 1, 400 days));
        wh = uint64(bound(wh, 1, type(uint64).max));
        uint256 deviceId = _device(capacityW);
        uint256 maxWh = (uint256(capacityW) * (end - START)) / 3600;
        vm.prank(owner);
        if (wh > maxWh) {
            vm.expectRevert(
                abi.encodeWithSelector(IGreenCertificates.CertificatesExceedsCapacity.selector, deviceId, wh, maxWh)
            );
            certificates.issue(deviceId, START, end, wh);
        } else {
            uint256 batchId = certificates.issue(deviceId, START, end, wh);
            assertEq(certificates.balanceOf(owner, batchId), wh, "owner did not receive the batch");
            assertEq(certificates.batchOf(batchId).issuedWh, wh, "batch records another amount");
        }
    }

    /// @notice Whatever periods a device owner asks for, the accepted ones never overlap and their
    /// Wh never exceed the device's capacity over the time they cover.
    function testFuzz_acceptedPeriodsNeverOverlapNorExceedCapacity(uint256 seed) public {
        uint64 capacityW = uint64(bound(seed, 1_000, 1e9));
        uint256 deviceId = _device(capacityW);
        uint40 coveredUntil = 0;
        uint256 coveredSeconds = 0;
        uint256 issuedWh = 0;
        for (uint256 i = 0; i < 12; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            uint40 start = START + uint40(bound(r, 0, 20 days));
            uint40 end = start + uint40(bound(r >> 64, 1, 3 days));
            uint64 wh = uint64(bound(r >> 128, 1, (uint256(capacityW) * 3 days) / 3600));
            vm.prank(owner);
            try certificates.issue(deviceId, start, end, wh) returns (uint256 batchId) {
                assertGe(start, coveredUntil, "an accepted period overlaps certified generation");
                assertLe(wh, (uint256(capacityW) * (end - start)) / 3600, "an accepted batch exceeds capacity x hours");
                IGreenCertificates.Batch memory batch = certificates.batchOf(batchId);
                assertEq(batch.periodStart, start, "batch period start");
                assertEq(batch.periodEnd, end, "batch period end");
                coveredUntil = end;
                coveredSeconds += end - start;
                issuedWh += wh;
            } catch {
                // Refused: either it overlapped or it asked for too much; both are checked above for acceptances.
                bool overlaps = start < coveredUntil;
                bool tooMuch = wh > (uint256(capacityW) * (end - start)) / 3600;
                assertTrue(overlaps || tooMuch, "a valid period was refused");
            }
        }
        assertLe(issuedWh, (uint256(capacityW) * coveredSeconds) / 3600, "device certified beyond its capacity");
        assertEq(certificates.deviceOf(deviceId).issuedUntil, coveredUntil, "device's issued-until mark");
    }
}
