// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGreenCertificates} from "../../../../contracts/interfaces/IGreenCertificates.sol";
import {IMarket} from "../../../../contracts/interfaces/IMarket.sol";
import {bound} from "../utils/Assertions.sol";
import {Exchange} from "../utils/Exchange.sol";
import {Vm, vm} from "../utils/Vm.sol";

/// @notice Drives the market through random but plausible sequences of everything its users do:
/// post, settle (valid and broken matches), cancel, report (in and far outside the declared energy
/// profile), confirm, dispute (by the buyer and by energy and network suppliers), resolve, finalise,
/// finalise lapsed disputes, cancel no-shows, withdraw, retire certificates and credits, suspend and
/// reinstate generation devices, and let time pass. It keeps ghost accounts of what the design says must have happened, which the
/// invariant test compares with the contracts' state after every call.
/// @dev Holds the matcher and arbiter roles itself; users act through `vm.prank`.
contract MarketHandler {
    struct DealRecord {
        bytes terms; // abi.encode(DealTerms) as emitted in DealOpened
        bytes report; // abi.encode(UsageReport) once reported
        IMarket.DealStatus status;
        uint40 since; // when the deal entered `status` (reported, disputed)
        bool flagged; // the report drew UsageFlagged
    }

    uint8 internal constant REGION_A = 1;
    uint8 internal constant REGION_B = 2;
    uint256 internal constant BPS = 10_000;

    Exchange.Contracts internal _x;
    address[] internal _buyers;
    address[] internal _computeSuppliers;
    address[] internal _energySuppliers;
    address internal _networkSupplier;
    address internal _treasury;
    uint256[] internal _batchIds;
    DealRecord[] internal _deals;

    /// @notice gCO2e the design says finalised deals must have minted, and the credits retired since.
    uint256 public expectedCredits;
    uint256 public retiredCredits;
    /// @notice Wh each batch must have retired: by finalised deals and directly by holders.
    mapping(uint256 batchId => uint256) public retiredByDeals;
    mapping(uint256 batchId => uint256) public retiredByHolders;
    /// @notice Set when something that must never happen did (a settle that reverted, a deal closed twice).
    string public violation;

    /// @notice How often each outcome happened, to see that a campaign explored the lifecycle.
    uint256 public dealsOpened;
    uint256 public matchesSkipped;
    uint256 public dealsClosed;
    uint256 public disputesOpened;
    uint256 public disputesResolved;
    uint256 public disputesLapsed;
    uint256 public reportsFlagged;
    uint256 public disputesBySuppliers;
    uint256 public suspensions;

    constructor() {
        vm.warp(1_760_000_000);
        _x = Exchange.deploy(address(this), _actor("treasury"));
        _treasury = _actor("treasury");
        _networkSupplier = _actor("network");
        for (uint256 i = 0; i < 3; ++i) _buyers.push(_actor(string.concat("buyer", vm.toString(i))));
        for (uint256 i = 0; i < 2; ++i) _computeSuppliers.push(_actor(string.concat("compute", vm.toString(i))));
        _energySuppliers.push(_actor("wind"));
        _energySuppliers.push(_actor("solar"));
        _batchIds.push(
            Exchange.issueBatch(_x, _energySuppliers[0], IGreenCertificates.EnergySource.Wind, REGION_A, 1e9, 5e9)
        );
        _batchIds.push(
            Exchange.issueBatch(_x, _energySuppliers[1], IGreenCertificates.EnergySource.Solar, REGION_B, 1e9, 5e9)
        );
        // A second batch held by the wind supplier, so that one holder has Wh of two batches.
        _batchIds.push(
            Exchange.issueBatch(_x, _energySuppliers[0], IGreenCertificates.EnergySource.Hydro, REGION_B, 1e9, 1e9)
        );
        for (uint256 i = 0; i < _buyers.length; ++i) {
            vm.prank(_buyers[i]);
            _x.token.approve(address(_x.market), type(uint256).max);
        }
    }

    // ─── Orders ──────────────────────────────────────────────────────────────────────────────────

    function postBid(
        uint256 buyerSeed,
        uint256 vcuSeed,
        uint256 limitSeed,
        uint256 greenSeed,
        uint256 regionSeed
    ) public {
        address buyer = _buyers[buyerSeed % _buyers.length];
        IMarket.BidParams memory bid = IMarket.BidParams({
            hardwareClass: 0,
            acceptableRegions: uint32(regionSeed % 3 == 0 ? (1 << REGION_A) : (1 << REGION_A) | (1 << REGION_B)),
            buyerRegion: regionSeed % 2 == 0 ? REGION_A : REGION_B,
            windowStart: uint40(block.timestamp + 2 hours),
            windowEnd: uint40(block.timestamp + 6 hours),
            vcuHours: uint40(bound(vcuSeed, 1, 200)),
            limitPricePerVcuHour: uint80(bound(limitSeed, 1_000_000, 5_000_000)),
            minGreenBps: uint16(bound(greenSeed, 0, BPS)),
            bandwidthMbps: 10,
            maxLatencyMs: 50,
            expiry: uint40(block.timestamp + 2 hours)
        });
        _x.token.faucet(buyer, uint256(bid.vcuHours) * bid.limitPricePerVcuHour);
        vm.prank(buyer);
        _x.market.postBid(bid);
    }

    function postComputeOffer(uint256 supplierSeed, uint256 vcuSeed, uint256 reserveSeed, uint256 profileSeed) public {
        vm.prank(_computeSuppliers[supplierSeed % _computeSuppliers.length]);
        _x.market.postComputeOffer(
            IMarket.ComputeOfferParams({
                hardwareClass: profileSeed % 5 == 0 ? 1 : 0,
                region: profileSeed % 2 == 0 ? REGION_A : REGION_B,
                windowStart: uint40(block.timestamp),
                windowEnd: uint40(block.timestamp + 3 days),
                vcuHours: uint48(bound(vcuSeed, 1, 1_000)),
                reservePricePerVcuHour: uint96(bound(reserveSeed, 100_000, 1_500_000)),
                whPerVcuHour: uint32(bound(profileSeed >> 8, 100, 3_000)),
                pueMilli: uint16(bound(profileSeed >> 40, 1_000, 2_000)),
                expiry: uint40(block.timestamp + 3 days)
            })
        );
    }

    function postEnergyOffer(uint256 supplierSeed, uint256 batchSeed, uint256 whSeed, uint256 reserveSeed) public {
        address supplier = _energySuppliers[supplierSeed % _energySuppliers.length];
        uint256 batchId = _batchIds[batchSeed % _batchIds.length];
        uint256 held = _x.certificates.balanceOf(supplier, batchId);
        if (held == 0 || _x.certificates.isBatchSuspended(batchId)) return;
        vm.prank(supplier);
        _x.market.postEnergyOffer(
            IMarket.EnergyOfferParams({
                batchId: uint64(batchId),
                wh: uint64(bound(whSeed, 1, held < 2e6 ? held : 2e6)),
                reservePricePerKwh: uint96(bound(reserveSeed, 0, 100_000)),
                expiry: uint40(block.timestamp + 3 days)
            })
        );
    }

    function postBandwidthOffer(
        uint256 directionSeed,
        uint256 mbpsSeed,
        uint256 latencySeed,
        uint256 reserveSeed
    ) public {
        bool forward = directionSeed % 2 == 0;
        vm.prank(_networkSupplier);
        _x.market.postBandwidthOffer(
            IMarket.BandwidthOfferParams({
                fromRegion: forward ? REGION_A : REGION_B,
                toRegion: forward ? REGION_B : REGION_A,
                mbps: uint32(bound(mbpsSeed, 1, 100)),
                latencyMs: uint16(bound(latencySeed, 5, 80)),
                windowStart: uint40(block.timestamp),
                windowEnd: uint40(block.timestamp + 3 days),
                reservePricePerMbpsHour: uint96(bound(reserveSeed, 0, 20_000)),
                expiry: uint40(block.timestamp + 3 days)
            })
        );
    }

    function cancelBid(uint256 seed) external {
        uint256 count = _x.market.bidCount();
        if (count == 0) return;
        uint256 bidId = 1 + (seed % count);
        IMarket.Bid memory bid = _x.market.bidOf(bidId);
        if (bid.remainingVcuHours == 0) return;
        vm.prank(bid.buyer);
        _x.market.cancelBid(bidId);
    }

    function cancelComputeOffer(uint256 seed) external {
        uint256 count = _x.market.computeOfferCount();
        if (count == 0) return;
        uint256 offerId = 1 + (seed % count);
        IMarket.ComputeOffer memory offer = _x.market.computeOfferOf(offerId);
        if (offer.remainingVcuHours == 0) return;
        vm.prank(offer.supplier);
        _x.market.cancelComputeOffer(offerId);
    }

    function cancelEnergyOffer(uint256 seed) external {
        uint256 count = _x.market.energyOfferCount();
        if (count == 0) return;
        uint256 offerId = 1 + (seed % count);
        IMarket.EnergyOffer memory offer = _x.market.energyOfferOf(offerId);
        if (offer.remainingWh == 0) return;
        vm.prank(offer.supplier);
        _x.market.cancelEnergyOffer(offerId);
    }

    // ─── Settlement ──────────────────────────────────────────────────────────────────────────────

    /// @notice One order of each kind from random parties, then a batch: keeps deals flowing in
    /// every run so that the lifecycle actions below have deals to act on.
    function postOrdersAndSettle(uint256 seed) external {
        uint256 r = uint256(keccak256(abi.encode(seed)));
        postBid(r, r >> 8, r >> 24, r >> 40, r >> 56);
        postComputeOffer(r >> 64, (r >> 72) + 50, r >> 88, r >> 104);
        postEnergyOffer(r >> 120, r >> 128, r >> 136, r >> 160);
        postBandwidthOffer(r >> 176, (r >> 184) + 10, r >> 192, r >> 200);
        settle(r >> 208, r >> 216);
    }

    /// @notice Settles 1–4 matches built from random open orders: mostly inside every limit, broken
    /// wherever the random picks do not fit, so both deals and skips happen.
    function settle(uint256 seed, uint256 countSeed) public {
        if (_x.market.bidCount() == 0 || _x.market.computeOfferCount() == 0) return;
        uint256 count = bound(countSeed, 1, 4);
        IMarket.Match[] memory matches = new IMarket.Match[](count);
        for (uint256 i = 0; i < count; ++i) {
            matches[i] = _buildMatch(uint256(keccak256(abi.encode(seed, i))));
        }
        vm.recordLogs();
        try _x.market.settle(matches) returns (uint256 opened) {
            _recordOpenedDeals(opened, count);
        } catch {
            violation = "settle reverted: one stale match blocked a batch";
        }
    }

    // ─── Deals ───────────────────────────────────────────────────────────────────────────────────

    /// @notice Reports usage of an active deal whose report deadline has not passed, if there is one.
    function reportUsage(uint256 dealSeed, uint256 deliveredSeed, uint256 consumedSeed) external {
        (bool found, uint256 index, IMarket.DealTerms memory terms) = _dealInTime(dealSeed, IMarket.DealStatus.Active);
        if (!found) return;
        if (block.timestamp < terms.windowEnd) vm.warp(terms.windowEnd);
        IMarket.UsageReport memory report = IMarket.UsageReport({
            vcuDelivered: bound(deliveredSeed, 0, terms.vcuHours),
            // Up to 10× the declared energy, so that reports outside the profile are flagged too.
            whConsumed: bound(
                consumedSeed,
                0,
                consumedSeed % 4 == 0 ? terms.energyNeededWh * 10 : terms.energyNeededWh * 2
            ),
            meteringHash: keccak256(abi.encode(dealSeed, consumedSeed))
        });
        vm.recordLogs();
        vm.prank(terms.computeSupplier);
        _x.market.reportUsage(index + 1, terms, report);
        DealRecord storage deal = _deals[index];
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] == IMarket.UsageFlagged.selector) deal.flagged = true;
        }
        if (deal.flagged) ++reportsFlagged;
        deal.report = abi.encode(report);
        deal.status = IMarket.DealStatus.Reported;
        deal.since = uint40(block.timestamp);
    }

    function confirmUsage(uint256 dealSeed) external {
        (bool found, uint256 index) = _dealIn(dealSeed, IMarket.DealStatus.Reported);
        if (!found) return;
        IMarket.DealTerms memory terms = _terms(index);
        // A flagged report is confirmed only once its suppliers' window to dispute it is over.
        uint256 challengeEnd = uint256(_deals[index].since) + terms.challengePeriod;
        if (_deals[index].flagged && block.timestamp < challengeEnd) vm.warp(challengeEnd);
        vm.prank(terms.buyer);
        _x.market.confirmUsage(index + 1, terms, _report(index));
        _closed(index, terms, BPS);
    }

    /// @notice Disputes a reported deal whose challenge period still runs, if there is one, as the
    /// buyer, an energy supplier or the network supplier of the deal (or, when the report is
    /// flagged, its compute supplier).
    function disputeUsage(uint256 dealSeed, uint256 disputantSeed) external {
        (bool found, uint256 index, IMarket.DealTerms memory terms) = _dealInTime(
            dealSeed,
            IMarket.DealStatus.Reported
        );
        if (!found) return;
        address[] memory parties = new address[](terms.energyLots.length + 3);
        uint256 n = 0;
        parties[n++] = terms.buyer;
        for (uint256 i = 0; i < terms.energyLots.length; ++i) parties[n++] = terms.energyLots[i].supplier;
        if (terms.bandwidthOfferId != 0) parties[n++] = terms.bandwidthSupplier;
        if (_deals[index].flagged) parties[n++] = terms.computeSupplier;
        address disputant = parties[disputantSeed % n];
        if (disputant != terms.buyer) ++disputesBySuppliers;
        vm.prank(disputant);
        _x.market.disputeUsage(index + 1, terms, _report(index), "fuzzed dispute");
        _deals[index].status = IMarket.DealStatus.Disputed;
        _deals[index].since = uint40(block.timestamp);
        ++disputesOpened;
    }

    function resolveDispute(uint256 dealSeed, uint256 refundSeed) external {
        (bool found, uint256 index) = _dealIn(dealSeed, IMarket.DealStatus.Disputed);
        if (!found) return;
        uint16 refundBps = uint16(bound(refundSeed, 0, BPS));
        IMarket.DealTerms memory terms = _terms(index);
        _x.market.resolveDispute(index + 1, terms, _report(index), refundBps);
        _closed(index, terms, BPS - refundBps);
        ++disputesResolved;
    }

    /// @notice Lets the arbitration period of a dispute run out, then finalises it as reported.
    function finalizeLapsedDispute(uint256 dealSeed) external {
        (bool found, uint256 index) = _dealIn(dealSeed, IMarket.DealStatus.Disputed);
        if (!found) return;
        IMarket.DealTerms memory terms = _terms(index);
        uint256 arbitrationDeadline = uint256(_deals[index].since) + Exchange.ARBITRATION_PERIOD;
        if (block.timestamp < arbitrationDeadline) vm.warp(arbitrationDeadline);
        _x.market.finalizeLapsedDispute(index + 1, terms, _report(index));
        _closed(index, terms, BPS);
        ++disputesLapsed;
    }

    function finalize(uint256 dealSeed) external {
        (bool found, uint256 index) = _dealIn(dealSeed, IMarket.DealStatus.Reported);
        if (!found) return;
        IMarket.DealTerms memory terms = _terms(index);
        uint256 challengeEnd = uint256(_deals[index].since) + terms.challengePeriod;
        if (block.timestamp < challengeEnd) vm.warp(challengeEnd);
        if (_deals[index].flagged) {
            // A flagged report never finalises unchallenged.
            try _x.market.finalize(index + 1, terms, _report(index)) {
                violation = "a flagged report finalised unchallenged";
            } catch {}
            return;
        }
        _x.market.finalize(index + 1, terms, _report(index));
        _closed(index, terms, BPS);
    }

    function cancelNoShow(uint256 dealSeed) external {
        (bool found, uint256 index) = _dealIn(dealSeed, IMarket.DealStatus.Active);
        if (!found) return;
        IMarket.DealTerms memory terms = _terms(index);
        if (block.timestamp < terms.reportDeadline) vm.warp(terms.reportDeadline);
        _x.market.cancelNoShow(index + 1, terms);
        _deals[index].status = IMarket.DealStatus.Cancelled;
        ++dealsClosed;
    }

    /// @notice Tries every closing action again on a closed deal: each must be refused.
    function closeAgain(uint256 dealSeed) external {
        (bool found, uint256 index) = _dealIn(dealSeed, IMarket.DealStatus.Finalized);
        if (!found) (found, index) = _dealIn(dealSeed, IMarket.DealStatus.Cancelled);
        if (!found) return;
        IMarket.DealTerms memory terms = _terms(index);
        uint256 dealId = index + 1;
        if (_deals[index].report.length != 0) {
            IMarket.UsageReport memory report = _report(index);
            try _x.market.finalize(dealId, terms, report) {
                violation = "a closed deal was finalised again";
            } catch {}
            vm.prank(terms.buyer);
            try _x.market.confirmUsage(dealId, terms, report) {
                violation = "a closed deal was confirmed again";
            } catch {}
            try _x.market.resolveDispute(dealId, terms, report, 0) {
                violation = "a closed deal was resolved again";
            } catch {}
            try _x.market.finalizeLapsedDispute(dealId, terms, report) {
                violation = "a closed deal was finalised again as a lapsed dispute";
            } catch {}
        }
        try _x.market.cancelNoShow(dealId, terms) {
            violation = "a closed deal was cancelled again";
        } catch {}
    }

    function withdraw(uint256 actorSeed) external {
        address account = _everyone()[actorSeed % _everyone().length];
        if (_x.market.withdrawableOf(account) == 0) return;
        vm.prank(account);
        _x.market.withdraw();
    }

    function withdrawFees() external {
        if (_x.market.accruedFees() == 0) return;
        _x.market.withdrawFees();
    }

    // ─── Certificates, credits and time ──────────────────────────────────────────────────────────

    function retireCertificates(uint256 holderSeed, uint256 batchSeed, uint256 whSeed) external {
        address[] memory holders = _everyone();
        address holder = holders[holderSeed % holders.length];
        uint256 batchId = _batchIds[batchSeed % _batchIds.length];
        uint256 held = _x.certificates.balanceOf(holder, batchId);
        if (held == 0) return;
        uint256 wh = bound(whSeed, 1, held);
        if (_x.certificates.isBatchSuspended(batchId)) {
            vm.prank(holder);
            try _x.certificates.retire(batchId, wh, holder, "fuzzed retirement") {
                violation = "a suspended device's certificates were retired";
            } catch {}
            return;
        }
        vm.prank(holder);
        _x.certificates.retire(batchId, wh, holder, "fuzzed retirement");
        retiredByHolders[batchId] += wh;
    }

    function retireCredits(uint256 holderSeed, uint256 amountSeed) external {
        address holder = _buyers[holderSeed % _buyers.length];
        uint256 held = _x.credits.balanceOf(holder);
        if (held == 0) return;
        uint256 amount = bound(amountSeed, 1, held);
        vm.prank(holder);
        _x.credits.retire(amount, holder, "fuzzed retirement");
        retiredCredits += amount;
    }

    /// @notice The registrar (this handler) suspends an approved device or reinstates a suspended one.
    function toggleDeviceSuspension(uint256 deviceSeed) external {
        uint256 deviceId = 1 + (deviceSeed % _x.certificates.deviceCount());
        if (_x.certificates.deviceOf(deviceId).status == IGreenCertificates.DeviceStatus.Suspended) {
            _x.certificates.approveDevice(deviceId);
        } else {
            _x.certificates.suspendDevice(deviceId);
            ++suspensions;
        }
    }

    function passTime(uint256 secondsSeed) external {
        vm.warp(block.timestamp + bound(secondsSeed, 1, 90 minutes));
    }

    // ─── Views for the invariants ────────────────────────────────────────────────────────────────

    function contracts() external view returns (Exchange.Contracts memory) {
        return _x;
    }

    function batchIds() external view returns (uint256[] memory) {
        return _batchIds;
    }

    /// @notice Every account that can hold money, certificates or credits in the campaign.
    function everyone() external view returns (address[] memory) {
        return _everyone();
    }

    function dealCount() external view returns (uint256) {
        return _deals.length;
    }

    /// @notice Escrow of deals that are neither finalised nor cancelled.
    function openDealEscrow() external view returns (uint256 escrow) {
        for (uint256 i = 0; i < _deals.length; ++i) {
            if (_isOpen(i)) escrow += _terms(i).escrow;
        }
    }

    /// @notice Wh of `batchId` locked in lots of deals that are neither finalised nor cancelled.
    function openDealWh(uint256 batchId) external view returns (uint256 wh) {
        for (uint256 i = 0; i < _deals.length; ++i) {
            if (!_isOpen(i)) continue;
            IMarket.DealEnergyLot[] memory lots = _terms(i).energyLots;
            for (uint256 j = 0; j < lots.length; ++j) {
                if (lots[j].batchId == batchId) wh += lots[j].wh;
            }
        }
    }

    // ─── Internal ────────────────────────────────────────────────────────────────────────────────

    /// @dev A match between an open bid and a compatible compute offer, paying every reserve plus a
    /// random margin; one in four has one field broken so that skips are exercised too.
    function _buildMatch(uint256 seed) internal view returns (IMarket.Match memory m) {
        m.bidId = _openBid(seed);
        IMarket.Bid memory bid = _x.market.bidOf(m.bidId);
        m.computeOfferId = _compatibleComputeOffer(seed >> 16, bid);
        IMarket.ComputeOffer memory offer = _x.market.computeOfferOf(m.computeOfferId);
        uint256 cap = bid.remainingVcuHours < offer.remainingVcuHours ? bid.remainingVcuHours : offer.remainingVcuHours;
        m.vcuHours = bound(seed >> 32, 1, cap == 0 ? 1 : cap);
        m.computePayment = uint256(offer.reservePricePerVcuHour) * m.vcuHours + bound(seed >> 48, 0, m.vcuHours * 1e5);
        uint256 needed = (m.vcuHours * offer.whPerVcuHour * offer.pueMilli) / 1000;
        uint256 greenWh = (needed * bid.minGreenBps + BPS - 1) / BPS;
        greenWh += bound(seed >> 64, 0, needed - greenWh);
        m.energyLots = _buildLots(seed >> 80, greenWh);
        if (offer.region != bid.buyerRegion) {
            m.bandwidthOfferId = _compatibleLink(seed >> 96, bid);
            IMarket.BandwidthOffer memory link = _x.market.bandwidthOfferOf(m.bandwidthOfferId);
            uint256 mbpsSeconds = uint256(bid.bandwidthMbps) * (bid.windowEnd - bid.windowStart);
            m.bandwidthPayment = (uint256(link.reservePricePerMbpsHour) * mbpsSeconds + 3599) / 3600;
        }
        uint256 corruption = (seed >> 112) % 24;
        if (corruption == 0) m.computePayment -= 1;
        else if (corruption == 1) m.vcuHours += cap;
        else if (corruption == 2 && m.energyLots.length != 0) m.energyLots[0].payment /= 2;
        else if (corruption == 3) m.bidId = 0;
        else if (corruption == 4 && m.bandwidthOfferId != 0) m.bandwidthOfferId = 0;
        else if (corruption == 5) m.computePayment = uint256(bid.limitPricePerVcuHour) * m.vcuHours;
    }

    /// @dev The first bid from a random start that is open and unexpired (or the start if none is).
    function _openBid(uint256 seed) internal view returns (uint256) {
        uint256 count = _x.market.bidCount();
        for (uint256 i = 0; i < count; ++i) {
            uint256 id = 1 + ((seed + i) % count);
            IMarket.Bid memory bid = _x.market.bidOf(id);
            if (bid.remainingVcuHours != 0 && block.timestamp < bid.expiry) return id;
        }
        return 1 + (seed % count);
    }

    function _compatibleComputeOffer(uint256 seed, IMarket.Bid memory bid) internal view returns (uint256) {
        uint256 count = _x.market.computeOfferCount();
        for (uint256 i = 0; i < count; ++i) {
            uint256 id = 1 + ((seed + i) % count);
            IMarket.ComputeOffer memory offer = _x.market.computeOfferOf(id);
            if (
                offer.remainingVcuHours != 0 &&
                block.timestamp < offer.expiry &&
                offer.hardwareClass == bid.hardwareClass &&
                (bid.acceptableRegions >> offer.region) & 1 == 1 &&
                offer.windowStart <= bid.windowStart &&
                bid.windowEnd <= offer.windowEnd
            ) return id;
        }
        return 1 + (seed % count);
    }

    function _compatibleLink(uint256 seed, IMarket.Bid memory bid) internal view returns (uint256) {
        uint256 count = _x.market.bandwidthOfferCount();
        if (count == 0) return 0;
        for (uint256 i = 0; i < count; ++i) {
            uint256 id = 1 + ((seed + i) % count);
            IMarket.BandwidthOffer memory link = _x.market.bandwidthOfferOf(id);
            if (
                link.remainingMbps >= bid.bandwidthMbps &&
                block.timestamp < link.expiry &&
                link.latencyMs <= bid.maxLatencyMs &&
                link.windowStart <= bid.windowStart &&
                bid.windowEnd <= link.windowEnd
            ) return id;
        }
        return 1 + (seed % count);
    }

    /// @dev Up to two lots from consecutive energy offers, covering `greenWh` as far as they hold.
    function _buildLots(uint256 seed, uint256 greenWh) internal view returns (IMarket.EnergyLot[] memory lots) {
        uint256 count = _x.market.energyOfferCount();
        if (greenWh == 0 || count == 0) return lots;
        uint256 first = 1 + (seed % count);
        for (uint256 i = 0; i < count && !_openEnergyOffer(first); ++i) first = 1 + (first % count);
        uint256 lotCount = first < count && seed % 3 != 0 && _openEnergyOffer(first + 1) ? 2 : 1;
        lots = new IMarket.EnergyLot[](lotCount);
        uint256 left = greenWh;
        for (uint256 i = 0; i < lotCount; ++i) {
            IMarket.EnergyOffer memory offer = _x.market.energyOfferOf(first + i);
            uint256 wh = i + 1 == lotCount ? left : left / 2;
            if (wh > offer.remainingWh) wh = offer.remainingWh;
            left -= wh;
            lots[i] = IMarket.EnergyLot({
                offerId: first + i,
                wh: wh,
                payment: (uint256(offer.reservePricePerKwh) * wh + 999) / 1000
            });
        }
    }

    function _openEnergyOffer(uint256 id) internal view returns (bool) {
        IMarket.EnergyOffer memory offer = _x.market.energyOfferOf(id);
        return offer.remainingWh != 0 && block.timestamp < offer.expiry;
    }

    function _recordOpenedDeals(uint256 opened, uint256 count) internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 recorded = 0;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter != address(_x.market) || logs[i].topics[0] != IMarket.DealOpened.selector) continue;
            if (uint256(logs[i].topics[1]) != _deals.length + 1) violation = "deal ids are not consecutive";
            _deals.push(
                DealRecord({
                    terms: logs[i].data,
                    report: "",
                    status: IMarket.DealStatus.Active,
                    since: uint40(block.timestamp),
                    flagged: false
                })
            );
            ++recorded;
        }
        if (recorded != opened) violation = "settle's count differs from the deals it opened";
        dealsOpened += opened;
        matchesSkipped += count - opened;
    }

    /// @dev The design's outcome of a closing deal (docs/market-rules.md, "flow of a trade"), recorded in the ghost accounts.
    function _closed(uint256 index, IMarket.DealTerms memory terms, uint256 acceptedBps) internal {
        IMarket.UsageReport memory report = _report(index);
        uint256 avoided = 0;
        for (uint256 i = 0; i < terms.energyLots.length; ++i) {
            IMarket.DealEnergyLot memory lot = terms.energyLots[i];
            // A suspended device's lot retires nothing (its Wh go back to the supplier).
            if (_x.certificates.isBatchSuspended(lot.batchId)) continue;
            uint256 used =
                report.whConsumed >= terms.energyNeededWh
                    ? lot.wh
                    : (lot.wh * report.whConsumed) / terms.energyNeededWh;
            uint256 retired = (used * acceptedBps) / BPS;
            retiredByDeals[lot.batchId] += retired;
            if (terms.gridFactor > lot.sourceFactor) avoided += retired * (terms.gridFactor - lot.sourceFactor);
        }
        expectedCredits += avoided / 1000;
        _deals[index].status = IMarket.DealStatus.Finalized;
        ++dealsClosed;
    }

    function _dealIn(uint256 seed, IMarket.DealStatus status) internal view returns (bool found, uint256 index) {
        uint256 count = _deals.length;
        for (uint256 i = 0; i < count; ++i) {
            index = (seed + i) % count;
            if (_deals[index].status == status) return (true, index);
        }
        return (false, 0);
    }

    /// @dev Like {_dealIn}, but only a deal whose next step is still allowed: an Active deal before its
    /// report deadline, a Reported one within its challenge period. Old deals would otherwise keep
    /// the picks and leave fresh deals unreported and undisputed.
    function _dealInTime(
        uint256 seed,
        IMarket.DealStatus status
    ) internal view returns (bool found, uint256 index, IMarket.DealTerms memory terms) {
        uint256 count = _deals.length;
        for (uint256 i = 0; i < count; ++i) {
            index = (seed + i) % count;
            if (_deals[index].status != status) continue;
            terms = _terms(index);
            uint256 end =
                status == IMarket.DealStatus.Active
                    ? terms.reportDeadline
                    : uint256(_deals[index].since) + terms.challengePeriod;
            if (block.timestamp < end) return (true, index, terms);
        }
        return (false, 0, terms);
    }

    function _isOpen(uint256 index) internal view returns (bool) {
        IMarket.DealStatus status = _deals[index].status;
        return status != IMarket.DealStatus.Finalized && status != IMarket.DealStatus.Cancelled;
    }

    function _terms(uint256 index) internal view returns (IMarket.DealTerms memory) {
        return abi.decode(_deals[index].terms, (IMarket.DealTerms));
    }

    function _report(uint256 index) internal view returns (IMarket.UsageReport memory) {
        return abi.decode(_deals[index].report, (IMarket.UsageReport));
    }

    function _everyone() internal view returns (address[] memory all) {
        all = new address[](_buyers.length + _computeSuppliers.length + _energySuppliers.length + 2);
        uint256 n = 0;
        for (uint256 i = 0; i < _buyers.length; ++i) all[n++] = _buyers[i];
        for (uint256 i = 0; i < _computeSuppliers.length; ++i) all[n++] = _computeSuppliers[i];
        for (uint256 i = 0; i < _energySuppliers.length; ++i) all[n++] = _energySuppliers[i];
        all[n++] = _networkSupplier;
        all[n] = _treasury;
    }

    function _actor(string memory name) internal pure returns (address) {
        return address(uint160(uint256(keccak256(bytes(string.concat("ccex actor ", name))))));
    }
}
