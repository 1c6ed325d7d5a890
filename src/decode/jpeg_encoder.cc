#include "decode/jpeg_encoder.h"

#include <algorithm>

#include "base/strings.h"
#include "decode/ffmpeg.h"

namespace uncut {

absl::StatusOr<std::string> EncodeJpeg(const VideoFrame& frame, int quality) {
  if (frame.channels != 3 || frame.width <= 0 || frame.height <= 0 ||
      frame.pixels.size() < static_cast<size_t>(frame.width) * frame.height * 3) {
    return absl::InvalidArgumentError("JPEG encoding needs an RGB frame");
  }
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
  if (!codec) return absl::UnimplementedError("this FFmpeg has no MJPEG encoder");
  CodecContextPtr ctx(avcodec_alloc_context3(codec));
  FramePtr yuv(av_frame_alloc());
  PacketPtr packet(av_packet_alloc());
  if (!ctx || !yuv || !packet) return absl::ResourceExhaustedError("out of memory");
  ctx->width = frame.width;
  ctx->height = frame.height;
  // Full-range 4:2:0, what MJPEG encodes without relaxing compliance.
  ctx->pix_fmt = AV_PIX_FMT_YUVJ420P;
  ctx->color_range = AVCOL_RANGE_JPEG;
  ctx->time_base = AVRational{1, 25};
  ctx->flags |= AV_CODEC_FLAG_QSCALE;
  ctx->global_quality = FF_QP2LAMBDA * std::clamp(quality, 2, 31);
  int rc = avcodec_open2(ctx.get(), codec, nullptr);
  if (rc < 0) return AvStatus("JPEG", "cannot open the encoder", rc);

  yuv->format = ctx->pix_fmt;
  yuv->width = frame.width;
  yuv->height = frame.height;
  yuv->quality = ctx->global_quality;
  rc = av_frame_get_buffer(yuv.get(), 0);
  if (rc < 0) return AvStatus("JPEG", "cannot allocate a frame", rc);
  SwsPtr sws(sws_getContext(frame.width, frame.height, AV_PIX_FMT_RGB24, frame.width, frame.height,
                            AV_PIX_FMT_YUVJ420P, SWS_BICUBIC, nullptr, nullptr, nullptr));
  if (!sws) return absl::InternalError("JPEG: cannot convert RGB to YUV");
  const uint8_t* src[4] = {frame.pixels.data(), nullptr, nullptr, nullptr};
  int src_stride[4] = {frame.width * 3, 0, 0, 0};
  sws_scale(sws.get(), src, src_stride, 0, frame.height, yuv->data, yuv->linesize);

  rc = avcodec_send_frame(ctx.get(), yuv.get());
  if (rc < 0) return AvStatus("JPEG", "encoding failed", rc);
  avcodec_send_frame(ctx.get(), nullptr);
  rc = avcodec_receive_packet(ctx.get(), packet.get());
  if (rc < 0) return AvStatus("JPEG", "encoding failed", rc);
  return std::string(reinterpret_cast<const char*>(packet->data), packet->size);
}

}  // namespace uncut
