// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {GreenCertificates} from "../../../contracts/GreenCertificates.sol";
import {IGreenCertificates} from "../../../contracts/interfaces/IGreenCertificates.sol";
import {Assertions, bound} from "./utils/Assertions.sol";
import {vm} from "./utils/Vm.sol";

/// @notice A device-hour is never certified for more than the device's capacity × 1 h, nor twice.
contract CertificateIssuanceTest is Assertions {
    uint40 internal constant START = 1_700_002_800; // on the hour
    uint256 internal constant NOW = 1_760_000_000;
    uint256 internal constant HOUR = 3600;
    address internal owner = address(0xD0);
    GreenCertificates internal certificates;

    function setUp() public {
        vm.warp(NOW);
        certificates = new GreenCertificates(address(this), address(this), "");
    }

    function _device(uint64 capacityW) internal returns (uint256 deviceId) {
        vm.prank(owner);
        deviceId = certificates.registerDevice(uint8(IGreenCertificates.EnergySource.Wind), 7, capacityW, START, "");
        certificates.approveDevice(deviceId);
    }

    /// @notice An issue succeeds exactly when every hour is ≤ capacity, and mints each hour to its own id.
    function testFuzz_issueAcceptsExactlyHoursUpToCapacity(uint64 capacityW, uint256 seed) public {
        capacityW = uint64(bound(capacityW, 1, 1e12));
        uint256 deviceId = _device(capacityW);
        uint256 hourCount = bound(seed, 1, 24);
        uint64[] memory whPerHour = new uint64[](hourCount);
        bool overCapacity = false;
        uint256 firstOver = 0;
        bool anyWh = false;
        for (uint256 i = 0; i < hourCount; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            // Mostly within capacity, sometimes just above it, sometimes 0.
            whPerHour[i] = uint64(
                r % 7 == 0
                    ? capacityW + 1
                    : r % 5 == 0
                        ? 0
                        : bound(r >> 8, 0, capacityW)
            );
            if (whPerHour[i] > capacityW && !overCapacity) {
                overCapacity = true;
                firstOver = i;
            }
            if (whPerHour[i] != 0) anyWh = true;
        }
        vm.prank(owner);
        if (overCapacity) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IGreenCertificates.CertificatesExceedsCapacity.selector,
                    deviceId,
                    uint40(START + firstOver * HOUR),
                    whPerHour[firstOver],
                    capacityW
                )
            );
            certificates.issue(deviceId, START, whPerHour);
        } else if (!anyWh) {
            vm.expectRevert(IGreenCertificates.CertificatesZeroAmount.selector);
            certificates.issue(deviceId, START, whPerHour);
        } else {
            certificates.issue(deviceId, START, whPerHour);
            for (uint256 i = 0; i < hourCount; ++i) {
                uint256 id = certificates.certificateIdOf(deviceId, uint40(START + i * HOUR));
                assertEq(id, (deviceId << 32) | (START / HOUR + i), "certificate id layout");
                assertEq(certificates.balanceOf(owner, id), whPerHour[i], "hour minted another amount");
            }
            assertEq(certificates.deviceOf(deviceId).issuedUntil, START + hourCount * HOUR, "issued-until mark");
        }
    }

    /// @notice Whatever hours a device owner asks for, the accepted ones never overlap: every
    /// device-hour's balance is what exactly one issue minted for it, never more than capacity.
    function testFuzz_acceptedHoursNeverOverlapNorExceedCapacity(uint256 seed) public {
        uint64 capacityW = uint64(bound(seed, 1_000, 1e9));
        uint256 deviceId = _device(capacityW);
        uint40 coveredUntil = 0;
        for (uint256 i = 0; i < 10; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            uint40 firstHour = START + uint40(bound(r, 0, 72) * HOUR);
            uint256 hourCount = bound(r >> 64, 1, 12);
            uint64[] memory whPerHour = new uint64[](hourCount);
            for (uint256 h = 0; h < hourCount; ++h) whPerHour[h] = uint64(bound(r >> (128 + h), 1, capacityW));
            vm.prank(owner);
            try certificates.issue(deviceId, firstHour, whPerHour) {
                assertGe(firstHour, coveredUntil, "an accepted issue overlaps certified hours");
                coveredUntil = uint40(firstHour + hourCount * HOUR);
            } catch {
                assertTrue(firstHour < coveredUntil, "a valid issue was refused");
            }
        }
        for (uint40 t = START; t < coveredUntil; t += uint40(HOUR)) {
            uint256 balance = certificates.balanceOf(owner, certificates.certificateIdOf(deviceId, t));
            assertLe(balance, capacityW, "a device-hour holds more than capacity x 1 h");
        }
        assertEq(certificates.deviceOf(deviceId).issuedUntil, coveredUntil, "device's issued-until mark");
    }
}
