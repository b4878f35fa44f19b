// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGreenCertificates} from "../../../contracts/interfaces/IGreenCertificates.sol";
import {IMarket} from "../../../contracts/interfaces/IMarket.sol";
import {Assertions, bound} from "./utils/Assertions.sol";
import {Exchange} from "./utils/Exchange.sol";
import {Vm, vm} from "./utils/Vm.sol";

/// @notice Differential test of settlement against the design's limits (docs/security.md): for any
/// fuzzed bundle on a fixed book, the market opens a deal exactly when an independent reading of
/// every order's limits says it may, and a batch never reverts because of a bad match.
contract SettlementLimitsTest is Assertions {
    uint8 internal constant NORTHWEST = 4;
    uint8 internal constant EAST = 2;
    uint256 internal constant BPS = 10_000;

    // The book, as its owners posted it.
    uint256 internal constant COMPUTE_RESERVE = 1_500_000; // per VCU-hour
    uint256 internal constant WH_PER_VCU = 2_000;
    uint256 internal constant PUE_MILLI = 1_250;
    uint256 internal constant WIND_RESERVE = 40_001; // per kWh: not a whole number per Wh, so rounding matters
    uint256 internal constant SOLAR_RESERVE = 50_000;
    uint256 internal constant LINK_RESERVE = 10_000; // per Mbps-hour
    uint256 internal constant BID_VCU = 100;
    uint256 internal constant BID_LIMIT = 2_500_000; // per VCU-hour, all-in
    uint256 internal constant MIN_GREEN_BPS = 5_000;
    uint256 internal constant BID_MBPS = 50;
    uint40 internal constant WINDOW = 4 hours;

    Exchange.Contracts internal x;
    address internal buyer = address(0xB0B);
    address internal computeSupplier = address(0xC0);
    address internal windSupplier = address(0xE1);
    address internal solarSupplier = address(0xE2);
    address internal networkSupplier = address(0x4E7);
    uint40 internal windowStart;

    struct Bundle {
        uint256 vcuHours;
        uint256 computePayment;
        uint256 windWh;
        uint256 windPayment;
        uint256 solarWh;
        uint256 solarPayment;
        bool withLink;
        uint256 bandwidthPayment;
    }

    function setUp() public {
        vm.warp(1_760_000_000);
        x = Exchange.deploy(address(this), address(0x7EA));
        uint256 windBatch = Exchange.issueBatch(
            x,
            windSupplier,
            IGreenCertificates.EnergySource.Wind,
            NORTHWEST,
            10_000_000,
            5_000_000
        );
        uint256 solarBatch = Exchange.issueBatch(
            x,
            solarSupplier,
            IGreenCertificates.EnergySource.Solar,
            NORTHWEST,
            10_000_000,
            5_000_000
        );
        windowStart = uint40(block.timestamp + 1 days);
        uint40 windowEnd = windowStart + WINDOW;

        vm.prank(computeSupplier);
        x.market.postComputeOffer(
            IMarket.ComputeOfferParams(
                2,
                NORTHWEST,
                windowStart - 1 hours,
                windowEnd + 1 hours,
                1_000,
                uint96(COMPUTE_RESERVE),
                uint32(WH_PER_VCU),
                uint16(PUE_MILLI),
                windowStart
            )
        );
        vm.prank(windSupplier);
        x.market.postEnergyOffer(
            IMarket.EnergyOfferParams(uint64(windBatch), 1_000_000, uint96(WIND_RESERVE), windowStart)
        );
        vm.prank(solarSupplier);
        x.market.postEnergyOffer(
            IMarket.EnergyOfferParams(uint64(solarBatch), 1_000_000, uint96(SOLAR_RESERVE), windowStart)
        );
        vm.prank(networkSupplier);
        x.market.postBandwidthOffer(
            IMarket.BandwidthOfferParams(
                NORTHWEST,
                EAST,
                1_000,
                30,
                windowStart - 1 hours,
                windowEnd + 1 hours,
                uint96(LINK_RESERVE),
                windowStart
            )
        );
        x.token.faucet(buyer, BID_VCU * BID_LIMIT);
        vm.startPrank(buyer);
        x.token.approve(address(x.market), type(uint256).max);
        x.market.postBid(
            IMarket.BidParams({
                hardwareClass: 2,
                acceptableRegions: uint32((1 << NORTHWEST) | (1 << EAST)),
                buyerRegion: EAST,
                windowStart: windowStart,
                windowEnd: windowEnd,
                vcuHours: uint40(BID_VCU),
                limitPricePerVcuHour: uint80(BID_LIMIT),
                minGreenBps: uint16(MIN_GREEN_BPS),
                bandwidthMbps: uint24(BID_MBPS),
                maxLatencyMs: 40,
                expiry: windowStart
            })
        );
        vm.stopPrank();
    }

    /// hardhat-config: fuzz.runs = 512
    function testFuzz_settleOpensADealExactlyWhenEveryLimitHolds(Bundle memory b) public {
        b.vcuHours = bound(b.vcuHours, 0, 120);
        b.computePayment = bound(b.computePayment, 0, 300e6);
        b.windWh = bound(b.windWh, 0, 300_000);
        b.solarWh = bound(b.solarWh, 0, 200_000);
        b.windPayment = bound(b.windPayment, 0, 20e6);
        b.solarPayment = bound(b.solarPayment, 0, 20e6);
        b.bandwidthPayment = bound(b.bandwidthPayment, 0, 5e6);
        // Steer most runs onto the limits themselves; the rest stay wherever the fuzzer put them.
        if (b.windPayment % 4 != 0) _nudgeToLimits(b, uint256(keccak256(abi.encode(b))));

        uint256 balanceBefore = x.token.balanceOf(address(x.market));
        vm.recordLogs();
        uint256 opened = x.market.settle(_matches(b));
        assertEq(opened, _withinEveryLimit(b) ? 1 : 0, "settle disagrees with the orders' limits");
        assertEq(x.token.balanceOf(address(x.market)), balanceBefore, "settlement moved tokens");

        IMarket.Bid memory bid = x.market.bidOf(1);
        if (opened == 1) {
            assertEq(bid.remainingVcuHours, BID_VCU - b.vcuHours, "bid not drawn down by the deal");
            IMarket.DealTerms memory terms = _openedTerms();
            assertEq(terms.escrow, b.vcuHours * BID_LIMIT, "deal escrow != limit x VCU-hours");
            assertLe(_total(b) + terms.fee, terms.escrow, "payments + fee above the escrow");
        } else {
            assertEq(bid.remainingVcuHours, BID_VCU, "a skipped match changed the bid");
            assertEq(x.market.dealCount(), 0, "a skipped match opened a deal");
        }
    }

    /// @dev The design's limits, read independently of the market's code.
    function _withinEveryLimit(Bundle memory b) internal pure returns (bool) {
        if (b.vcuHours == 0 || b.vcuHours > BID_VCU) return false;
        if (b.computePayment < COMPUTE_RESERVE * b.vcuHours) return false;
        uint256 need = (b.vcuHours * WH_PER_VCU * PUE_MILLI) / 1000;
        uint256 green = b.windWh + b.solarWh;
        if (green * BPS < need * MIN_GREEN_BPS || green > need) return false;
        // A lot pays at least its reserve for every Wh, rounding the cost up.
        if (b.windWh != 0 && b.windPayment * 1000 < WIND_RESERVE * b.windWh) return false;
        if (b.solarWh != 0 && b.solarPayment * 1000 < SOLAR_RESERVE * b.solarWh) return false;
        // Compute in the northwest, buyer in the east: the link is required and must cover its cost.
        if (!b.withLink) return false;
        if (b.bandwidthPayment * 3600 < LINK_RESERVE * BID_MBPS * WINDOW) return false;
        uint256 total = _total(b);
        return total + (total * 100) / BPS <= BID_LIMIT * b.vcuHours;
    }

    function _total(Bundle memory b) internal pure returns (uint256) {
        return
            b.computePayment +
            (b.windWh == 0 ? 0 : b.windPayment) +
            (b.solarWh == 0 ? 0 : b.solarPayment) +
            (b.withLink ? b.bandwidthPayment : 0);
    }

    function _matches(Bundle memory b) internal pure returns (IMarket.Match[] memory matches) {
        uint256 lotCount = (b.windWh != 0 ? 1 : 0) + (b.solarWh != 0 ? 1 : 0);
        IMarket.EnergyLot[] memory lots = new IMarket.EnergyLot[](lotCount);
        uint256 n = 0;
        if (b.windWh != 0) lots[n++] = IMarket.EnergyLot(1, b.windWh, b.windPayment);
        if (b.solarWh != 0) lots[n] = IMarket.EnergyLot(2, b.solarWh, b.solarPayment);
        matches = new IMarket.Match[](1);
        matches[0] = IMarket.Match({
            bidId: 1,
            computeOfferId: 1,
            vcuHours: b.vcuHours,
            computePayment: b.computePayment,
            energyLots: lots,
            bandwidthOfferId: b.withLink ? 1 : 0,
            bandwidthPayment: b.withLink ? b.bandwidthPayment : 0
        });
    }

    /// @dev Puts the bundle exactly on its limits (every payment at its reserve, green Wh at the
    /// minimum share), then moves one of them by -1, 0 or +1 unit: where off-by-one errors live.
    function _nudgeToLimits(Bundle memory b, uint256 seed) internal pure {
        uint256 field = seed % 7;
        uint256 up = (seed >> 8) % 3; // 0: one unit below, 1: on the limit, 2: one unit above
        b.vcuHours = field == 6 ? BID_VCU + up - 1 : bound(seed >> 16, 10, BID_VCU);
        b.withLink = true;
        b.solarWh = 0;
        b.solarPayment = 0;
        b.computePayment = COMPUTE_RESERVE * b.vcuHours;
        b.bandwidthPayment = _ceilDiv(LINK_RESERVE * BID_MBPS * WINDOW, 3600);
        uint256 need = (b.vcuHours * WH_PER_VCU * PUE_MILLI) / 1000;
        b.windWh = _ceilDiv(need * MIN_GREEN_BPS, BPS);
        if (field == 1) b.windWh = b.windWh + up - 1;
        if (field == 5) b.windWh = need + up - 1;
        b.windPayment = _ceilDiv(WIND_RESERVE * b.windWh, 1000);
        if (field == 0) b.computePayment = b.computePayment + up - 1;
        if (field == 2) b.windPayment = b.windPayment + up - 1;
        if (field == 3) b.bandwidthPayment = b.bandwidthPayment + up - 1;
        if (field == 4) {
            // The largest total whose 1 % fee (rounded down) still fits the bid's limit.
            uint256 limit = BID_LIMIT * b.vcuHours;
            uint256 total = (limit * 100) / 101;
            while (total + 1 + (total + 1) / 100 <= limit) ++total;
            while (total + total / 100 > limit) --total;
            b.computePayment = total - b.windPayment - b.bandwidthPayment + up - 1;
        }
    }

    function _ceilDiv(uint256 a, uint256 d) internal pure returns (uint256) {
        return (a + d - 1) / d;
    }

    function _openedTerms() internal returns (IMarket.DealTerms memory) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] == IMarket.DealOpened.selector) return abi.decode(logs[i].data, (IMarket.DealTerms));
        }
        revert("no DealOpened log");
    }
}
