// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IGreenCertificates} from "../interfaces/IGreenCertificates.sol";
import {IMarket} from "../interfaces/IMarket.sol";
import {MarketCodes} from "./MarketCodes.sol";
import {MatchRules} from "./MatchRules.sol";
import {Book, Settings} from "./MarketStorage.sol";

/// @title Posting of offers and bids
/// @notice The bodies of the market's `post*` functions: validate the order (every code against
/// MarketCodes, so that no unknown class or region ever reaches the book), store it packed, pull
/// its escrow, emit. An external library, like BatchSettlement, so that the market stays under the
/// contract size limit; it runs by DELEGATECALL, so `msg.sender` is the poster and the events, the
/// storage and the escrow are the market's.
library OrderPosting {
    using SafeERC20 for IERC20;

    /// @notice See {IMarket-postComputeOffer}.
    function postComputeOffer(
        Book storage book,
        IMarket.ComputeOfferParams calldata offer
    ) external returns (uint256 offerId) {
        _requireHardwareClass(offer.hardwareClass);
        _requireRegion(offer.region);
        _requireWindowAndExpiry(offer.windowStart, offer.windowEnd, offer.expiry);
        if (offer.vcuHours == 0) revert IMarket.MarketZeroQuantity();
        if (offer.whPerVcuHour == 0 || offer.pueMilli < MatchRules.PUE_SCALE) {
            revert IMarket.MarketInvalidEnergyProfile(offer.whPerVcuHour, offer.pueMilli);
        }
        offerId = ++book.counts.computeOffers;
        book.computeOffers[offerId] = IMarket.ComputeOffer({
            supplier: msg.sender,
            hardwareClass: offer.hardwareClass,
            region: offer.region,
            pueMilli: offer.pueMilli,
            expiry: offer.expiry,
            windowStart: offer.windowStart,
            windowEnd: offer.windowEnd,
            remainingVcuHours: offer.vcuHours,
            whPerVcuHour: offer.whPerVcuHour,
            reservePricePerVcuHour: offer.reservePricePerVcuHour
        });
        emit IMarket.ComputeOfferPosted(offerId, msg.sender, offer);
    }

    /// @notice See {IMarket-postEnergyOffer}.
    function postEnergyOffer(
        Book storage book,
        IGreenCertificates certificates,
        IMarket.EnergyOfferParams calldata offer
    ) external returns (uint256 offerId) {
        if (offer.expiry <= block.timestamp) {
            revert IMarket.MarketInvalidExpiry(offer.expiry, block.timestamp, type(uint40).max);
        }
        if (offer.wh == 0) revert IMarket.MarketZeroQuantity();
        IGreenCertificates.Batch memory batch = certificates.batchOf(offer.batchId);
        if (batch.issuedWh == 0) revert IMarket.MarketUnknownBatch(offer.batchId);
        if (certificates.isBatchSuspended(offer.batchId)) revert IMarket.MarketDeviceSuspended(offer.batchId);
        offerId = ++book.counts.energyOffers;
        book.energyOffers[offerId] = IMarket.EnergyOffer({
            supplier: msg.sender,
            source: batch.source,
            region: batch.region,
            expiry: offer.expiry,
            batchId: offer.batchId,
            remainingWh: offer.wh,
            reservePricePerKwh: offer.reservePricePerKwh
        });
        certificates.safeTransferFrom(msg.sender, address(this), offer.batchId, offer.wh, "");
        emit IMarket.EnergyOfferPosted(offerId, msg.sender, offer.batchId, batch.source, batch.region, offer);
    }

    /// @notice See {IMarket-postBandwidthOffer}.
    function postBandwidthOffer(
        Book storage book,
        IMarket.BandwidthOfferParams calldata offer
    ) external returns (uint256 offerId) {
        _requireRegion(offer.fromRegion);
        _requireRegion(offer.toRegion);
        if (offer.fromRegion == offer.toRegion) revert IMarket.MarketInvalidRoute(offer.fromRegion, offer.toRegion);
        _requireWindowAndExpiry(offer.windowStart, offer.windowEnd, offer.expiry);
        if (offer.mbps == 0) revert IMarket.MarketZeroQuantity();
        offerId = ++book.counts.bandwidthOffers;
        book.bandwidthOffers[offerId] = IMarket.BandwidthOffer({
            supplier: msg.sender,
            fromRegion: offer.fromRegion,
            toRegion: offer.toRegion,
            latencyMs: offer.latencyMs,
            expiry: offer.expiry,
            windowStart: offer.windowStart,
            windowEnd: offer.windowEnd,
            remainingMbps: offer.mbps,
            reservePricePerMbpsHour: offer.reservePricePerMbpsHour
        });
        emit IMarket.BandwidthOfferPosted(offerId, msg.sender, offer);
    }

    /// @notice See {IMarket-postBid}; the caller has already applied any permit.
    /// @param settings the market's settings now: their fee and deal periods are fixed into the bid
    function postBid(
        Book storage book,
        Settings memory settings,
        IERC20 settlementToken,
        IMarket.BidParams calldata bid
    ) external returns (uint256 bidId) {
        _requireHardwareClass(bid.hardwareClass);
        if (!MarketCodes.isRegion(bid.buyerRegion)) revert IMarket.MarketUnknownBuyerRegion(bid.buyerRegion);
        _requireWindowAndExpiry(bid.windowStart, bid.windowEnd, bid.expiry);
        if (bid.vcuHours == 0) revert IMarket.MarketZeroQuantity();
        if (bid.acceptableRegions == 0) revert IMarket.MarketNoAcceptableRegion();
        if (bid.acceptableRegions & ~MarketCodes.REGION_MASK != 0) {
            revert IMarket.MarketUnknownAcceptableRegions(bid.acceptableRegions);
        }
        if (bid.minGreenBps > MatchRules.BPS) revert IMarket.MarketInvalidGreenShare(bid.minGreenBps);
        uint256 escrow = uint256(bid.vcuHours) * bid.limitPricePerVcuHour;
        bidId = ++book.counts.bids;
        book.bids[bidId] = IMarket.Bid({
            buyer: msg.sender,
            hardwareClass: bid.hardwareClass,
            buyerRegion: bid.buyerRegion,
            minGreenBps: bid.minGreenBps,
            maxLatencyMs: bid.maxLatencyMs,
            expiry: bid.expiry,
            windowStart: bid.windowStart,
            windowEnd: bid.windowEnd,
            remainingVcuHours: bid.vcuHours,
            bandwidthMbps: bid.bandwidthMbps,
            limitPricePerVcuHour: bid.limitPricePerVcuHour,
            acceptableRegions: bid.acceptableRegions,
            challengePeriod: settings.challengePeriod,
            reportGracePeriod: settings.reportGracePeriod,
            feeBps: settings.feeBps
        });
        // The escrow the market owes back is what it asked for, so it must have received exactly that:
        // a fee-on-transfer (or otherwise short-changing) token would leave it owing more than it holds.
        uint256 balanceBefore = settlementToken.balanceOf(address(this));
        settlementToken.safeTransferFrom(msg.sender, address(this), escrow);
        uint256 balanceAfter = settlementToken.balanceOf(address(this));
        uint256 received = balanceAfter > balanceBefore ? balanceAfter - balanceBefore : 0;
        if (received != escrow) revert IMarket.MarketTokenTransferMismatch(escrow, received);
        emit IMarket.BidPosted(bidId, msg.sender, bid, escrow);
    }

    function _requireHardwareClass(uint8 hardwareClass) private pure {
        if (!MarketCodes.isHardwareClass(hardwareClass)) revert IMarket.MarketUnknownHardwareClass(hardwareClass);
    }

    function _requireRegion(uint8 region) private pure {
        if (!MarketCodes.isRegion(region)) revert IMarket.MarketUnknownRegion(region);
    }

    function _requireWindowAndExpiry(uint40 windowStart, uint40 windowEnd, uint40 expiry) private view {
        if (windowStart >= windowEnd) revert IMarket.MarketInvalidWindow(windowStart, windowEnd);
        if (expiry <= block.timestamp || expiry > windowEnd) {
            revert IMarket.MarketInvalidExpiry(expiry, block.timestamp, windowEnd);
        }
    }
}
