// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CarbonCredits} from "../../../../contracts/CarbonCredits.sol";
import {GreenCertificates} from "../../../../contracts/GreenCertificates.sol";
import {LocalSettlementToken} from "../../../../contracts/LocalSettlementToken.sol";
import {Market} from "../../../../contracts/Market.sol";
import {IGreenCertificates} from "../../../../contracts/interfaces/IGreenCertificates.sol";
import {Settings} from "../../../../contracts/libraries/MarketStorage.sol";
import {vm} from "./Vm.sol";

/// @notice The exchange as deployed in production, for Solidity tests: the deployer is admin and
/// registrar, `operator` holds the matcher, arbiter and pauser roles.
library Exchange {
    struct Contracts {
        LocalSettlementToken token;
        GreenCertificates certificates;
        CarbonCredits credits;
        Market market;
    }

    uint16 internal constant FEE_BPS = 100;
    uint32 internal constant CHALLENGE_PERIOD = 1 days;
    uint32 internal constant REPORT_GRACE_PERIOD = 1 days;
    uint32 internal constant ARBITRATION_PERIOD = 3 days;
    /// @dev The deployment's defaults (ignition/modules/CCEX.ts SOURCE_FACTORS), by EnergySource.
    uint16 internal constant SOLAR_FACTOR = 48;
    uint16 internal constant WIND_FACTOR = 11;
    uint16 internal constant HYDRO_FACTOR = 24;
    uint16 internal constant BIOMASS_FACTOR = 230;
    uint16 internal constant GEOTHERMAL_FACTOR = 38;
    uint16 internal constant NUCLEAR_FACTOR = 12;

    function sourceFactors() internal pure returns (uint16[] memory factors) {
        factors = new uint16[](6);
        factors[0] = SOLAR_FACTOR;
        factors[1] = WIND_FACTOR;
        factors[2] = HYDRO_FACTOR;
        factors[3] = BIOMASS_FACTOR;
        factors[4] = GEOTHERMAL_FACTOR;
        factors[5] = NUCLEAR_FACTOR;
    }

    function deploy(address operator, address treasury) internal returns (Contracts memory x) {
        x.token = new LocalSettlementToken();
        x.certificates = new GreenCertificates(address(this), address(this), "");
        x.credits = new CarbonCredits(address(this));
        x.market = new Market(
            x.token,
            x.certificates,
            x.credits,
            Market.RoleHolders({admin: address(this), matcher: operator, arbiter: operator, pauser: operator}),
            Settings({
                treasury: treasury,
                feeBps: FEE_BPS,
                challengePeriod: CHALLENGE_PERIOD,
                reportGracePeriod: REPORT_GRACE_PERIOD
            }),
            ARBITRATION_PERIOD,
            sourceFactors()
        );
        x.certificates.grantRole(x.certificates.MARKET_ROLE(), address(x.market));
        x.credits.grantRole(x.credits.MARKET_ROLE(), address(x.market));
    }

    /// @notice Registers, approves and issues for `owner` one batch of `wh` for a past period long
    /// enough to hold them at `capacityW`; the owner approves the market for its certificates.
    function issueBatch(
        Contracts memory x,
        address owner,
        IGreenCertificates.EnergySource source,
        uint8 region,
        uint64 capacityW,
        uint64 wh
    ) internal returns (uint256 batchId) {
        uint40 hoursNeeded = uint40(uint256(wh) / capacityW + 1);
        uint40 periodEnd = uint40(block.timestamp);
        uint40 periodStart = periodEnd - hoursNeeded * 1 hours;
        vm.prank(owner);
        uint256 deviceId = x.certificates.registerDevice(uint8(source), region, capacityW, periodStart, "");
        x.certificates.approveDevice(deviceId);
        vm.startPrank(owner);
        batchId = x.certificates.issue(deviceId, periodStart, periodEnd, wh);
        x.certificates.setApprovalForAll(address(x.market), true);
        vm.stopPrank();
    }
}
