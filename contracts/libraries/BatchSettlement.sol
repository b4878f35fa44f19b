// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IGreenCertificates} from "../interfaces/IGreenCertificates.sol";
import {IMarket} from "../interfaces/IMarket.sol";
import {DealMath} from "./DealMath.sol";
import {MatchRules} from "./MatchRules.sol";
import {Book, GridFactor} from "./MarketStorage.sol";

/// @title Settlement of a batch of matches into deals
/// @notice The body of `Market.settle`, an external library so that the market stays under the
/// contract size limit; it runs by DELEGATECALL in the market's storage and its events are the
/// market's. Each match reads top to bottom: check every limit of its orders, move the fills,
/// record the deal, emit. A match that fails a check is skipped with its reason, so one stale match
/// never blocks the rest of the batch. It runs as the matcher (`msg.sender` is the caller of
/// `Market.settle`), which is how it refuses matches the matcher is itself a party of.
library BatchSettlement {
    /// @notice Grid emission factor of regions without their own, in gCO2e/kWh (0.61 kgCO2/kWh).
    uint16 internal constant DEFAULT_GRID_FACTOR = 610;

    /// @dev A match's orders as loaded from storage, and what checking it worked out.
    struct MatchContext {
        IMarket.Bid bid;
        IMarket.ComputeOffer offer;
        IMarket.EnergyOffer[] lotOffers;
        IMarket.BandwidthOffer link; // all zero when the match names none
        uint256 budget; // bid limit × vcuHours: the deal's escrow
        uint256 energyNeededWh;
        uint256 fee;
    }

    /// @notice Settles `matches` in order; see {IMarket-settle}.
    function settle(
        Book storage book,
        IGreenCertificates certificates,
        IMarket.Match[] calldata matches
    ) external returns (uint256 dealsOpened) {
        for (uint256 i = 0; i < matches.length; ++i) {
            uint256 freeMemory;
            // Nothing a match allocates outlives it, so the next match reuses its memory instead of
            // paying for ever more (quadratically priced) memory across the batch.
            assembly ("memory-safe") {
                freeMemory := mload(0x40)
            }
            IMarket.SkipReason reason = _settleOne(book, certificates, matches[i]);
            assembly ("memory-safe") {
                mstore(0x40, freeMemory)
            }
            if (reason == IMarket.SkipReason.None) {
                ++dealsOpened;
            } else {
                emit IMarket.MatchSkipped(i, matches[i].bidId, matches[i].computeOfferId, reason);
            }
        }
    }

    /// @notice Grid emission factor of `region` in gCO2e/kWh.
    function gridFactorOf(Book storage book, uint8 region) internal view returns (uint16) {
        GridFactor memory factor = book.gridFactors[region];
        return factor.isSet ? factor.gCO2ePerKwh : DEFAULT_GRID_FACTOR;
    }

    function _settleOne(
        Book storage book,
        IGreenCertificates certificates,
        IMarket.Match calldata m
    ) private returns (IMarket.SkipReason reason) {
        MatchContext memory ctx;
        (reason, ctx) = _check(book, certificates, m);
        if (reason != IMarket.SkipReason.None) return reason;

        // Every quantity below was checked against the remaining amount it is taken from.
        unchecked {
            book.bids[m.bidId].remainingVcuHours = ctx.bid.remainingVcuHours - uint40(m.vcuHours);
            book.computeOffers[m.computeOfferId].remainingVcuHours = ctx.offer.remainingVcuHours - uint48(m.vcuHours);
            for (uint256 i = 0; i < ctx.lotOffers.length; ++i) {
                book.energyOffers[m.energyLots[i].offerId].remainingWh =
                    ctx.lotOffers[i].remainingWh - uint64(m.energyLots[i].wh);
            }
            if (m.bandwidthOfferId != 0) {
                book.bandwidthOffers[m.bandwidthOfferId].remainingMbps = ctx.link.remainingMbps - ctx.bid.bandwidthMbps;
            }
        }

        // The terms are encoded once, for both the stored digest and the event.
        bytes memory encodedTerms = abi.encode(_dealTerms(book, m, ctx));
        uint256 dealId = ++book.counts.deals;
        book.deals[dealId] = IMarket.Deal({
            status: IMarket.DealStatus.Active,
            since: uint40(block.timestamp),
            digest: DealMath.encodedTermsDigest(encodedTerms)
        });
        _emitDealOpened(dealId, m.bidId, ctx.bid.buyer, encodedTerms);
    }

    /// @dev Emits {IMarket-DealOpened}: its data, the one non-indexed argument `terms`, is exactly
    /// `abi.encode(terms)`, so the already encoded terms are logged as they are.
    function _emitDealOpened(uint256 dealId, uint256 bidId, address buyer, bytes memory encodedTerms) private {
        bytes32 topic = IMarket.DealOpened.selector;
        // Reads only the bytes of `encodedTerms` and writes no memory.
        assembly ("memory-safe") {
            log4(add(encodedTerms, 0x20), mload(encodedTerms), topic, dealId, bidId, buyer)
        }
    }

    /// @dev Loads a match's orders and checks it against every one of their limits.
    function _check(
        Book storage book,
        IGreenCertificates certificates,
        IMarket.Match calldata m
    ) private view returns (IMarket.SkipReason reason, MatchContext memory ctx) {
        ctx.bid = book.bids[m.bidId];
        ctx.offer = book.computeOffers[m.computeOfferId];
        reason = MatchRules.checkCompute(m, ctx.bid, ctx.offer, block.timestamp);
        if (reason != IMarket.SkipReason.None) return (reason, ctx);
        if (ctx.bid.buyer == msg.sender || ctx.offer.supplier == msg.sender) {
            return (IMarket.SkipReason.MatcherIsParty, ctx);
        }

        // Bounding every payment by the budget first keeps the sums below from overflowing.
        ctx.budget = uint256(ctx.bid.limitPricePerVcuHour) * m.vcuHours;
        if (m.computePayment > ctx.budget || m.bandwidthPayment > ctx.budget) {
            return (IMarket.SkipReason.PriceAboveLimit, ctx);
        }
        uint256 totalPayment = m.computePayment + m.bandwidthPayment;

        ctx.energyNeededWh = MatchRules.energyNeededWh(m.vcuHours, ctx.offer.whPerVcuHour, ctx.offer.pueMilli);
        ctx.lotOffers = new IMarket.EnergyOffer[](m.energyLots.length);
        uint256 greenWh = 0;
        uint256 previousOfferId = 0;
        for (uint256 i = 0; i < m.energyLots.length; ++i) {
            IMarket.EnergyLot calldata lot = m.energyLots[i];
            ctx.lotOffers[i] = book.energyOffers[lot.offerId];
            reason = MatchRules.checkEnergyLot(lot, previousOfferId, ctx.lotOffers[i], block.timestamp);
            if (reason != IMarket.SkipReason.None) return (reason, ctx);
            reason = _checkLotSupply(certificates, ctx.lotOffers[i]);
            if (reason != IMarket.SkipReason.None) return (reason, ctx);
            if (lot.payment > ctx.budget) return (IMarket.SkipReason.PriceAboveLimit, ctx);
            previousOfferId = lot.offerId;
            // Each lot's Wh fit its offer's uint64 and each payment is at most the budget (< 2^120).
            unchecked {
                greenWh += lot.wh;
                totalPayment += lot.payment;
            }
        }
        reason = MatchRules.checkGreenShare(greenWh, ctx.energyNeededWh, ctx.bid.minGreenBps);
        if (reason != IMarket.SkipReason.None) return (reason, ctx);

        if (m.bandwidthOfferId != 0) ctx.link = book.bandwidthOffers[m.bandwidthOfferId];
        reason = MatchRules.checkBandwidth(m, ctx.bid, ctx.offer.region, ctx.link, block.timestamp);
        if (reason != IMarket.SkipReason.None) return (reason, ctx);
        if (m.bandwidthOfferId != 0 && ctx.link.supplier == msg.sender) {
            return (IMarket.SkipReason.MatcherIsParty, ctx);
        }

        (reason, ctx.fee) = MatchRules.checkPrice(totalPayment, ctx.bid.feeBps, ctx.budget);
    }

    /// @dev Who supplies a lot and from which device: never the matcher, never a suspended device.
    function _checkLotSupply(
        IGreenCertificates certificates,
        IMarket.EnergyOffer memory offer
    ) private view returns (IMarket.SkipReason) {
        if (offer.supplier == msg.sender) return IMarket.SkipReason.MatcherIsParty;
        if (certificates.isBatchSuspended(offer.batchId)) return IMarket.SkipReason.EnergyDeviceSuspended;
        return IMarket.SkipReason.None;
    }

    /// @dev The terms of the deal a checked match opens.
    function _dealTerms(
        Book storage book,
        IMarket.Match calldata m,
        MatchContext memory ctx
    ) private view returns (IMarket.DealTerms memory terms) {
        terms.bidId = m.bidId;
        terms.buyer = ctx.bid.buyer;
        terms.computeOfferId = m.computeOfferId;
        terms.computeSupplier = ctx.offer.supplier;
        terms.computeRegion = ctx.offer.region;
        terms.windowStart = ctx.bid.windowStart;
        terms.windowEnd = ctx.bid.windowEnd;
        terms.vcuHours = m.vcuHours;
        terms.computePayment = m.computePayment;
        terms.energyNeededWh = ctx.energyNeededWh;
        terms.energyLots = new IMarket.DealEnergyLot[](ctx.lotOffers.length);
        for (uint256 i = 0; i < ctx.lotOffers.length; ++i) {
            IMarket.EnergyLot calldata lot = m.energyLots[i];
            IMarket.EnergyOffer memory lotOffer = ctx.lotOffers[i];
            terms.energyLots[i] = IMarket.DealEnergyLot({
                offerId: lot.offerId,
                supplier: lotOffer.supplier,
                batchId: lotOffer.batchId,
                wh: lot.wh,
                payment: lot.payment,
                sourceFactor: book.sourceFactors[lotOffer.source]
            });
        }
        if (m.bandwidthOfferId != 0) {
            terms.bandwidthOfferId = m.bandwidthOfferId;
            terms.bandwidthSupplier = ctx.link.supplier;
            terms.bandwidthMbps = ctx.bid.bandwidthMbps;
            terms.bandwidthPayment = m.bandwidthPayment;
        }
        terms.fee = ctx.fee;
        terms.escrow = ctx.budget;
        terms.gridFactor = gridFactorOf(book, ctx.offer.region);
        // Clamped so that a bid with an absurdly late window cannot make the whole batch revert.
        terms.reportDeadline = uint40(
            Math.min(uint256(ctx.bid.windowEnd) + ctx.bid.reportGracePeriod, type(uint40).max)
        );
        // The bid's own periods, fixed when it was posted: no later change shortens them.
        terms.challengePeriod = ctx.bid.challengePeriod;
    }
}
